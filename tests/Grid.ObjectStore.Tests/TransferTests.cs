using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grid.Grains;
using Xunit.Abstractions;

namespace Grid.ObjectStore.Tests;

public sealed class TransferTests(TwoSiloCluster cluster, ITestOutputHelper output) : IClassFixture<TwoSiloCluster>
{
    [Theory]
    [InlineData(1024 * 1024)]
    [InlineData(200 * 1024 * 1024)]
    [InlineData(ObjectStoreOptions.DefaultChunkSize + 1)] // a last chunk of one byte
    public async Task An_object_pulled_from_another_node_arrives_intact(int size)
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        var data = TestData.Pattern(size, seed: size);
        source.Store.Put(id, data);

        var started = Stopwatch.GetTimestamp();
        using var pulled = await target.Objects.PullAsync(id, source.Id, size, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(size, pulled.Size);
        Assert.True(pulled.Span.SequenceEqual(data));
        Assert.True(target.Store.TryGet(id, out var local)); // it is in the target's store now
        using (local) Assert.Equal(TestData.AddressOf(pulled.Memory), TestData.AddressOf(local.Memory));
        output.WriteLine($"pulled {size / 1048576.0:F1} MiB in {elapsed.TotalMilliseconds:F0} ms: {size / elapsed.TotalSeconds / 1e9:F2} GB/s");
    }

    [Fact]
    public async Task Concurrent_pulls_of_one_object_share_one_transfer()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        const int size = 20 * 1024 * 1024;
        var data = TestData.Pattern(size, seed: 20);
        source.Store.Put(id, data);

        var pulledBytes = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, target.Objects.Meter) && instrument.Name == ObjectStoreMeter.BytesPulled) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref pulledBytes, value));
        listener.Start();

        var pulls = Enumerable.Range(0, 5).Select(_ => target.Objects.PullAsync(id, source.Id, size, CancellationToken.None)).ToArray();
        var results = await Task.WhenAll(pulls);

        Assert.Equal(size, Interlocked.Read(ref pulledBytes));
        var address = TestData.AddressOf(results[0].Memory);
        foreach (var result in results)
        {
            using (result) Assert.Equal(address, TestData.AddressOf(result.Memory));
        }
        Assert.True(target.Store.TryGet(id, out var local));
        using (local) Assert.True(local.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task Pulling_a_local_object_returns_at_once()
    {
        var node = cluster[0];
        var id = ObjectId.New();
        node.Store.Put(id, [1, 2, 3]);

        var pull = node.Objects.PullAsync(id, cluster[1].Id, 3, CancellationToken.None);

        Assert.True(pull.IsCompletedSuccessfully);
        using var obj = await pull;
        Assert.Equal([1, 2, 3], obj.Span.ToArray());
    }

    [Fact]
    public async Task Pulling_an_object_the_source_lacks_fails_and_leaves_nothing_behind()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();

        await Assert.ThrowsAsync<ObjectLostException>(() => target.Objects.PullAsync(id, source.Id, -1, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectLostException>(() => target.Objects.PullAsync(id, source.Id, 10_000_000, CancellationToken.None));

        Assert.False(target.Store.TryGet(id, out _));
        Assert.True(target.Store.TryCreate(id, 1, out var writer)); // the id is free: no partial object was left
        writer.Abort();
    }

    [Fact]
    public async Task A_pull_with_unknown_size_asks_the_source()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        var data = TestData.Pattern(5 * 1024 * 1024, seed: 5);
        source.Store.Put(id, data);

        using var pulled = await target.Objects.PullAsync(id, source.Id, size: -1, CancellationToken.None);

        Assert.True(pulled.Span.SequenceEqual(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(10 * 1024 * 1024 + 17)]
    public async Task A_client_without_a_store_fetches_into_an_array(int size)
    {
        var source = cluster[1];
        var id = ObjectId.New();
        var data = TestData.Pattern(size, seed: size + 1);
        source.Store.Put(id, data);
        using var puller = cluster.ClientPuller();

        var fetched = await puller.FetchAsync(id, source.Id, size, CancellationToken.None);

        Assert.Equal(data, fetched);
        await Assert.ThrowsAsync<InvalidOperationException>(() => puller.PullAsync(id, source.Id, size, CancellationToken.None));
    }

    [Fact]
    public async Task A_client_pushes_a_large_value_into_a_node_store()
    {
        var target = cluster[1];
        var id = ObjectId.New();
        var data = TestData.Pattern(9 * 1024 * 1024 + 3, seed: 9);
        using var puller = cluster.ClientPuller();

        await puller.PushAsync(id, target.Id, data, CancellationToken.None);

        Assert.True(target.Store.TryGet(id, out var obj));
        using (obj) Assert.True(obj.Span.SequenceEqual(data));
        // Pushing the same id again is refused: objects are immutable.
        await Assert.ThrowsAsync<InvalidOperationException>(() => puller.PushAsync(id, target.Id, data, CancellationToken.None));
        Assert.True(target.Store.TryGet(id, out var still));
        using (still) Assert.Equal(data.Length, still.Size);
    }

    [Fact]
    public async Task The_grain_reports_sizes_and_deletes()
    {
        var node = cluster[1];
        var grain = cluster.Cluster.Client.GetGrain<IObjectStoreGrain>(node.Id.Value);
        var id = ObjectId.New();

        Assert.Equal(-1, await grain.GetSize(id));
        node.Store.Put(id, new byte[1234]);
        Assert.Equal(1234, await grain.GetSize(id));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ReadChunk(id, 1000, 1000));

        await grain.Delete(id);

        Assert.Equal(-1, await grain.GetSize(id));
        Assert.False(node.Store.TryGet(id, out _));
    }

    [Fact]
    public async Task A_pull_waits_for_a_local_create_and_takes_over_when_it_aborts()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        var data = TestData.Pattern(6 * 1024 * 1024, seed: 6);
        source.Store.Put(id, data);
        var local = target.Store.Create(id, data.Length); // someone on the target node is creating it

        var pull = target.Objects.PullAsync(id, source.Id, data.Length, CancellationToken.None);
        Assert.False(pull.IsCompleted);
        local.Abort();

        using var pulled = await pull;
        Assert.True(pulled.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task A_pull_waits_for_a_local_create_and_returns_its_seal()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        source.Store.Put(id, [1, 1, 1]);
        var local = target.Store.Create(id, 3);

        var pull = target.Objects.PullAsync(id, source.Id, 3, CancellationToken.None);
        Assert.False(pull.IsCompleted);
        local.Span.Fill(2);
        local.Seal();

        using var pulled = await pull;
        Assert.Equal([2, 2, 2], pulled.Span.ToArray()); // the local copy, not a second transfer
    }

    [Fact]
    public async Task A_cancelled_pull_leaves_the_object_pullable()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        var data = TestData.Pattern(32 * 1024 * 1024, seed: 32);
        source.Store.Put(id, data);

        using (var cancel = new CancellationTokenSource())
        {
            var first = target.Objects.PullAsync(id, source.Id, data.Length, cancel.Token);
            cancel.Cancel();
            try
            {
                using (await first) { } // it may have finished before the cancellation landed
            }
            catch (OperationCanceledException)
            {
            }
        }

        using var pulled = await target.Objects.PullAsync(id, source.Id, data.Length, CancellationToken.None);
        Assert.True(pulled.Span.SequenceEqual(data));
    }
}
