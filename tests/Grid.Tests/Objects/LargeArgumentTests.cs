using Grid.ObjectStore;
using Grid.Testing;
using Grid.Tests.Core;
using Grid.Tests.Fixtures;

namespace Grid.Tests.Objects;

/// <summary>
/// By-value arguments (of tasks, actor calls and actor constructors) and return values above the inline threshold go
/// through the object store, as in Ray: the callee receives the same value it would inline, and an argument's object
/// lives exactly as long as its call.
/// </summary>
public abstract class LargeArgumentTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_300_MB_array_argument_is_in_the_store_while_its_task_runs_and_freed_when_the_task_ends()
    {
        const int Size = 300_000_017; // an odd size, to find this object among the stores' others
        var data = TestFunctions.MakeBytes(Size, seed: 300);
        var expected = TestFunctions.Checksum(data);
        var gate = Guid.NewGuid().ToString("N");
        var f = Grid.Function<byte[], string, long>(LargeArgumentFunctions.ChecksumWhenOpened);

        var result = f.Remote(data, gate);
        await LargeArgumentFunctions.StartedSignal(gate).Task.WaitAsync(Timeout);

        Assert.Contains(Stores(), s => s.List().Any(o => IsArgument(o.Size)));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(expected, await result.GetAsync(Timeout));
        await Eventually.WaitAsync(() => !Stores().Any(s => s.List().Any(o => IsArgument(o.Size))), Timeout, "the argument's object freed once its task ended");

        static bool IsArgument(long size) => size >= Size && size < Size + 64;
    }

    [Fact]
    public async Task A_large_record_argument_reaches_the_task_as_the_same_value()
    {
        var record = new LargeRecord("by value", ClientPutFunctions.Pattern(1 << 18, seed: 21), [.. Enumerable.Range(0, 500).Select(i => $"label {i}")]);
        var f = Grid.Function<LargeRecord, long>(ClientPutFunctions.RecordChecksum);

        Assert.Equal(ClientPutFunctions.RecordChecksum(record), await f.Remote(record).GetAsync(Timeout));
    }

    [Fact]
    public async Task A_large_memory_argument_reaches_a_ReadOnlyMemory_parameter_as_a_view_of_the_store()
    {
        var values = new double[4 << 20]; // 32 MiB
        for (var i = 0; i < values.Length; i++) values[i] = i % 1000;
        var f = Grid.Function<ReadOnlyMemory<double>, (int, bool, double)>(LargeArgumentFunctions.ViewOf);

        var (length, isCopy, sum) = await f.Remote((ReadOnlyMemory<double>)values).GetAsync(Timeout);

        Assert.Equal(values.Length, length);
        Assert.False(isCopy, "the task got a copy instead of a view of the store");
        Assert.Equal(values.Sum(), sum);
    }

    [Fact]
    public async Task Small_and_large_arguments_mix_in_one_call()
    {
        var large = ClientPutFunctions.Pattern(1 << 20, seed: 22);
        var f = Grid.Function<long[], long[], string, int>(LargeArgumentFunctions.CountOf);

        Assert.Equal(large.Length + 3 + 4, await f.Remote(large, new long[] { 1, 2, 3 }, "four").GetAsync(Timeout));
    }

    [Fact]
    public async Task Large_actor_constructor_and_call_arguments_and_large_returns_travel_through_the_store()
    {
        var initial = ClientPutFunctions.Pattern(1 << 21, seed: 23); // 16 MiB
        var next = ClientPutFunctions.Pattern((1 << 21) + 5, seed: 24);
        var record = new LargeRecord("actor", ClientPutFunctions.Pattern(1 << 18, seed: 25), ["a", "b"]);
        var holder = await Grid.CreateActorAsync(() => new LargeHolder(initial));

        Assert.Equal(ClientPutFunctions.Checksum(initial), await holder.Call(h => h.Checksum()).GetAsync(Timeout));
        Assert.Equal(ClientPutFunctions.Checksum(next), await holder.Call(h => h.Replace(next)).GetAsync(Timeout));
        Assert.Equal(ClientPutFunctions.RecordChecksum(record), await holder.Call(h => h.ChecksumOf(record)).GetAsync(Timeout));
        Assert.Equal(next, await holder.Call(h => h.Data()).GetAsync(Timeout));
        await holder.KillAsync();

        var make = Grid.Function<int, long, long[]>(ClientPutFunctions.Pattern);
        Assert.Equal(ClientPutFunctions.Pattern(3 << 20, 26), await make.Remote(3 << 20, 26).GetAsync(Timeout));
    }

    /// <summary>The object stores of the fixture's nodes.</summary>
    private LocalObjectStore[] Stores() => fixture switch
    {
        ClusterGridFixture cluster => cluster.Cluster.Stores(),
        _ => [Grid.Worker.LocalStore!],
    };
}

[Collection("embedded")]
public sealed class EmbeddedLargeArgumentTests(EmbeddedGridFixture fixture) : LargeArgumentTests(fixture);

[Collection("cluster")]
public sealed class ClusterLargeArgumentTests(ClusterGridFixture fixture) : LargeArgumentTests(fixture);

/// <summary>Large arguments from a remote client on two small-store nodes: over the network, and past what the stores hold.</summary>
public sealed class LargeArgumentClientTests(ClientPutClusterFixture fixture) : IClassFixture<ClientPutClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Over_the_network_large_arguments_reach_the_task_identically()
    {
        var client = await fixture.ConnectAsync(new ObjectStoreOptions { AllowSameHostWrites = false }).WaitAsync(Timeout);
        var data = ClientPutFunctions.Pattern((4 << 20) + 1, seed: 31);
        var record = new LargeRecord("network", ClientPutFunctions.Pattern(1 << 18, seed: 32), ["x"]);

        Assert.Equal(ClientPutFunctions.Checksum(data), await client.Function<long[], long>(ClientPutFunctions.Checksum).Remote(data).GetAsync(Timeout));
        Assert.Equal(ClientPutFunctions.RecordChecksum(record), await client.Function<LargeRecord, long>(ClientPutFunctions.RecordChecksum).Remote(record).GetAsync(Timeout));
    }

    [Fact]
    public async Task An_argument_beyond_the_stores_memory_and_disk_fails_its_task_with_ObjectStoreFullException_and_the_nodes_keep_serving()
    {
        var tooLarge = new long[(ClientPutClusterFixture.CapacityBytes + ClientPutClusterFixture.MaxSpillBytes) / 8];
        var checksum = fixture.Grid.Function<long[], long>(ClientPutFunctions.Checksum);

        var error = await Assert.ThrowsAsync<ObjectStoreFullException>(() => checksum.Remote(tooLarge).GetAsync(Timeout));

        Assert.Contains("spill", error.Message, StringComparison.OrdinalIgnoreCase);
        var increment = fixture.Grid.Function<int, int>(TestFunctions.Increment);
        Assert.Equal(Enumerable.Range(1, 100), await fixture.Grid.GetAsync(Enumerable.Range(0, 100).Select(i => increment.Remote(i))).WaitAsync(Timeout));
    }
}
