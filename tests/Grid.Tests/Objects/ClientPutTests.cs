using Grid.ObjectStore;
using Grid.Testing;

namespace Grid.Tests.Objects;

/// <summary>
/// A remote client's put of a large array: written into a node's store (through the node's file on the same machine,
/// over the network otherwise), read back identically by tasks on every node and by get, spilled or refused like any
/// object when the store is full, and freed with its file when its last ref goes.
/// </summary>
public sealed class ClientPutTests(ClientPutClusterFixture fixture) : IClassFixture<ClientPutClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int Longs = 4 << 20; // 32 MiB

    [Fact]
    public async Task A_large_array_put_by_a_client_on_the_nodes_machine_reads_back_identically_on_every_node()
    {
        var data = ClientPutFunctions.Pattern(Longs, seed: 11);
        using var stored = await fixture.Grid.PutAsync(data).WaitAsync(Timeout);

        await ReadsBackIdenticallyAsync(fixture.Grid, stored, data);
    }

    [Fact]
    public async Task With_same_host_writes_off_the_put_goes_over_the_network_and_reads_back_identically()
    {
        var client = await fixture.ConnectAsync(new ObjectStoreOptions { AllowSameHostWrites = false }).WaitAsync(Timeout);
        var data = ClientPutFunctions.Pattern(Longs + 3, seed: 12);
        using var stored = await client.PutAsync(data).WaitAsync(Timeout);

        await ReadsBackIdenticallyAsync(client, stored, data);
    }

    [Fact]
    public async Task A_put_beyond_the_stores_memory_spills_to_disk_and_one_beyond_its_disk_too_fails_with_ObjectStoreFullException()
    {
        var spilled = ClientPutFunctions.Pattern((int)(ClientPutClusterFixture.CapacityBytes / 8) + (2 << 20), seed: 13);
        using (var stored = await fixture.Grid.PutAsync(spilled).WaitAsync(Timeout))
        {
            Assert.Contains(fixture.Stores(), s => s.Describe().Any(o => o.Id == stored.Id && o.Spilled));
            Assert.Equal(spilled, await stored.GetAsync(Timeout));
        }

        var tooLarge = new long[(ClientPutClusterFixture.CapacityBytes + ClientPutClusterFixture.MaxSpillBytes) / 8];
        await Eventually.WaitAsync(() => fixture.Stores().All(s => s.SpilledBytes == 0), Timeout, "the spilled object freed");
        var before = fixture.Stores().Select(s => s.UsedBytes).ToArray();

        var error = await Assert.ThrowsAsync<ObjectStoreFullException>(() => fixture.Grid.PutAsync(tooLarge).WaitAsync(Timeout));

        Assert.Contains("spill", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, fixture.Stores().Select(s => s.UsedBytes).ToArray());
        Assert.All(fixture.Stores(), s => Assert.Equal(0, s.SpilledBytes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_large_record_put_by_a_client_is_streamed_into_a_node_and_reads_back_identically(bool sameHostWrites)
    {
        var client = sameHostWrites ? fixture.Grid : await fixture.ConnectAsync(new ObjectStoreOptions { AllowSameHostWrites = false }).WaitAsync(Timeout);
        var record = new LargeRecord("client-put", ClientPutFunctions.Pattern(Longs / 2, seed: 15), [.. Enumerable.Range(0, 1000).Select(i => $"item {i}")]);
        using var stored = await client.PutAsync(record).WaitAsync(Timeout);

        Assert.Contains(fixture.Stores(), s => s.List().Any(o => o.Id == stored.Id));
        var node = (await fixture.NodesAsync().WaitAsync(Timeout)).Last();
        var checksum = client.Function<LargeRecord, long>(ClientPutFunctions.RecordChecksum, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(node) });
        Assert.Equal(ClientPutFunctions.RecordChecksum(record), await checksum.Remote(stored).GetAsync(Timeout));
        var back = await stored.GetAsync(Timeout);
        Assert.Equal(record.Name, back.Name);
        Assert.Equal(record.Values, back.Values);
        Assert.Equal(record.Labels, back.Labels);
    }

    [Fact]
    public async Task Releasing_the_last_ref_frees_the_object_and_removes_its_file()
    {
        var stored = await fixture.Grid.PutAsync(ClientPutFunctions.Pattern(Longs, seed: 14)).WaitAsync(Timeout);
        var id = stored.Id;
        var store = fixture.Stores().Single(s => s.List().Any(o => o.Id == id));
        var file = Path.Combine(store.Directory, id.ToString());
        Assert.True(File.Exists(file));

        stored.Dispose();

        await Eventually.WaitAsync(() => !store.List().Any(o => o.Id == id) && !File.Exists(file), Timeout, $"object {id} and its file {file} gone");
    }

    private async Task ReadsBackIdenticallyAsync(GridClient client, ObjectRef<long[]> stored, long[] data)
    {
        var expected = ClientPutFunctions.Checksum(data);
        Assert.Contains(fixture.Stores(), s => s.List().Any(o => o.Id == stored.Id));
        foreach (var node in await fixture.NodesAsync().WaitAsync(Timeout))
        {
            var checksum = client.Function<long[], long>(ClientPutFunctions.Checksum, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(node) });
            Assert.Equal(expected, await checksum.Remote(stored).GetAsync(Timeout));
        }
        Assert.Equal(data, await stored.GetAsync(Timeout));
    }
}
