using System.Diagnostics.Metrics;

namespace Grid.ObjectStore.Tests;

/// <summary>
/// Which path a transfer took (same-host link, channel, grain calls), read from the puller's own
/// metric tags: tests assert the path a user's pull really used, not a private flag.
/// </summary>
internal static class TransferPaths
{
    public static MeterListener Listen(ObjectManager puller, List<string> paths, string instrumentName = ObjectStoreMeter.BytesPulled)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, puller.Meter) && instrument.Name == instrumentName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "grid.path") lock (paths) paths.Add((string)tag.Value!);
        });
        listener.Start();
        return listener;
    }
}
