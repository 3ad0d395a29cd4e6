using System.Diagnostics.Metrics;

namespace Grid.ObjectStore.Tests;

public sealed class AccountingTests
{
    [Fact]
    public void UsedBytes_Count_and_List_follow_creates_seals_and_deletes()
    {
        using var store = TestData.NewStore();
        Assert.Equal(0, store.UsedBytes);
        Assert.Equal(0, store.Count);
        Assert.Empty(store.List());

        var a = ObjectId.New();
        var b = ObjectId.New();
        var c = ObjectId.New();
        store.Put(a, new byte[1000]);
        store.Put(b, new byte[2000]);
        var writer = store.Create(c, 4000);

        // An object being written takes memory but is not listed or counted until sealed.
        Assert.Equal(7000, store.UsedBytes);
        Assert.Equal(2, store.Count);
        Assert.Equal([(a, 1000L), (b, 2000L)], store.List().OrderBy(o => o.Size));

        writer.Seal();
        Assert.Equal(3, store.Count);
        Assert.Contains((c, 4000L), store.List());

        // A deleted object stops counting at once, even while a lease keeps it mapped.
        Assert.True(store.TryGet(b, out var held));
        store.Delete(b);
        Assert.Equal(5000, store.UsedBytes);
        Assert.Equal(2, store.Count);
        Assert.DoesNotContain(store.List(), o => o.Id == b);
        held.Dispose();

        store.Delete(a);
        store.Delete(c);
        Assert.Equal(0, store.UsedBytes);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void The_meter_reports_objects_and_bytes_used()
    {
        using var store = TestData.NewStore();
        store.Put(ObjectId.New(), new byte[300]);
        store.Put(ObjectId.New(), new byte[700]);

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, store.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal("Grid.ObjectStore", store.Meter.Name);
        Assert.Equal(2, seen[ObjectStoreMeter.Objects]);
        Assert.Equal(1000, seen[ObjectStoreMeter.BytesUsed]);
    }
}
