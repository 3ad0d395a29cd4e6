using System.Buffers;
using Grid.Grains;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore.Tests;

/// <summary>
/// A process without a store (a remote client) on the node's machine writes a new object straight into the file the
/// node created for it; the node keeps the accounting, and any failure leaves no object behind.
/// </summary>
public sealed class SameHostWriteTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);
    private const int Mib = 1024 * 1024;

    private ObjectManager ClientPuller(bool sameHostWrites = true) =>
        new(cluster.Cluster.Client, null, Options.Create(new ObjectStoreOptions { AllowSameHostWrites = sameHostWrites }), NullLogger<ObjectManager>.Instance);

    [Fact]
    public async Task A_client_on_the_nodes_machine_fills_the_nodes_file_and_the_object_reads_back_everywhere()
    {
        var (target, other) = (cluster[0], cluster[1]);
        using var puller = ClientPuller();
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(puller, paths, ObjectStoreMeter.BytesPushed);
        var id = ObjectId.New();
        var header = TestData.Pattern(13, seed: 1);
        var body = TestData.Pattern(40 * Mib + 5, seed: 2);
        var used = target.Store.UsedBytes;

        await puller.PushAsync(id, target.Id, header, body, CancellationToken.None).WaitAsync(Generous);

        Assert.Equal(["same-host"], paths.Distinct());
        Assert.Equal(used + header.Length + body.Length, target.Store.UsedBytes);
        Assert.True(target.Store.TryGet(id, out var stored));
        using (stored)
        {
            Assert.True(stored.Span[..header.Length].SequenceEqual(header));
            Assert.True(stored.Span[header.Length..].SequenceEqual(body));
        }
        using (var pulled = await other.Objects.PullAsync(id, target.Id, header.Length + body.Length, CancellationToken.None).WaitAsync(Generous))
            Assert.True(pulled.Span[header.Length..].SequenceEqual(body));
        var fetched = await puller.FetchAsync(id, target.Id, header.Length + body.Length, CancellationToken.None).WaitAsync(Generous);
        Assert.True(fetched.AsSpan(header.Length).SequenceEqual(body));
        target.Store.Delete(id);
        other.Store.Delete(id);
        Assert.Equal(used, target.Store.UsedBytes);
    }

    [Fact]
    public async Task Puts_of_one_size_reuse_the_nodes_file_and_each_object_holds_its_own_bytes()
    {
        var target = cluster[1];
        using var puller = ClientPuller();
        var first = TestData.Pattern(24 * Mib, seed: 3);
        var second = TestData.Pattern(24 * Mib, seed: 4);
        var (a, b) = (ObjectId.New(), ObjectId.New());

        await puller.PushAsync(a, target.Id, first, CancellationToken.None).WaitAsync(Generous);
        Assert.True(target.Store.Delete(a));
        Assert.True(target.Store.RecycledBytes >= first.Length, "the freed file of a client's put is kept for reuse");
        await puller.PushAsync(b, target.Id, second, CancellationToken.None).WaitAsync(Generous);

        Assert.True(target.Store.TryGet(b, out var stored));
        using (stored) Assert.True(stored.Span.SequenceEqual(second));
        Assert.False(File.Exists(target.Store.PathOf(a)));
        target.Store.Delete(b);
    }

    [Fact]
    public async Task With_same_host_writes_off_the_client_pushes_over_the_network_and_the_bytes_are_the_same()
    {
        var target = cluster[0];
        using var puller = ClientPuller(sameHostWrites: false);
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(puller, paths, ObjectStoreMeter.BytesPushed);
        var id = ObjectId.New();
        var data = TestData.Pattern(20 * Mib + 7, seed: 5);

        await puller.PushAsync(id, target.Id, data, CancellationToken.None).WaitAsync(Generous);

        Assert.DoesNotContain("same-host", paths);
        Assert.True(target.Store.TryGet(id, out var stored));
        using (stored) Assert.True(stored.Span.SequenceEqual(data));
        target.Store.Delete(id);
    }

    [Fact]
    public async Task An_aborted_write_leaves_no_object_no_file_and_no_bytes_counted_and_a_sealed_object_cannot_be_aborted()
    {
        var target = cluster[1];
        var grain = cluster.Cluster.Client.GetGrain<IObjectStoreGrain>(target.Id.Value);
        var used = target.Store.UsedBytes;
        var id = ObjectId.New();

        var locator = await grain.CreateForWriter(id, 8 * Mib, HostIdentity.Current).WaitAsync(Generous);
        Assert.NotNull(locator);
        Assert.True(File.Exists(locator.Path));
        Assert.Equal(used + 8 * Mib, target.Store.UsedBytes);

        Assert.True(await grain.Abort(id).WaitAsync(Generous));

        Assert.False(target.Store.TryGet(id, out _));
        Assert.False(File.Exists(locator.Path));
        Assert.Equal(used, target.Store.UsedBytes);
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Seal(id).WaitAsync(Generous));

        var sealedId = ObjectId.New();
        target.Store.Put(sealedId, TestData.Pattern(Mib, seed: 6));
        Assert.False(await grain.Abort(sealedId).WaitAsync(Generous));
        Assert.True(target.Store.TryGet(sealedId, out var kept));
        kept.Dispose();
        target.Store.Delete(sealedId);
    }

    [Fact]
    public async Task A_writer_on_another_machine_gets_no_file_and_pushes_through_the_node()
    {
        var target = cluster[0];
        var grain = cluster.Cluster.Client.GetGrain<IObjectStoreGrain>(target.Id.Value);
        var id = ObjectId.New();

        Assert.Null(await grain.CreateForWriter(id, Mib, "another-machine/boot").WaitAsync(Generous));
        Assert.Null(await grain.CreateForWriter(ObjectId.New(), Mib, null).WaitAsync(Generous));

        Assert.True(await grain.Abort(id).WaitAsync(Generous));
    }

    [Theory]
    [InlineData(true, "same-host")]
    [InlineData(false, "network")]
    public async Task A_value_serialized_into_a_node_piece_by_piece_arrives_whole(bool sameHostWrites, string path)
    {
        var target = cluster[1];
        using var puller = ClientPuller(sameHostWrites);
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(puller, paths, ObjectStoreMeter.BytesPushed);
        var id = ObjectId.New();
        var data = TestData.Pattern(13 * Mib + 11, seed: 8);

        // Written in odd pieces, as a serializer does.
        await puller.PushSerializedAsync(id, target.Id, data.Length, output =>
        {
            for (var offset = 0; offset < data.Length; offset += 300_001)
                output.Write(data.AsSpan(offset, Math.Min(300_001, data.Length - offset)));
        }, CancellationToken.None).WaitAsync(Generous);

        Assert.Equal([path], paths.Distinct());
        Assert.True(target.Store.TryGet(id, out var stored));
        using (stored) Assert.True(stored.Span.SequenceEqual(data));
        target.Store.Delete(id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_fill_that_writes_another_size_than_measured_fails_and_leaves_nothing(bool sameHostWrites)
    {
        var target = cluster[0];
        using var puller = ClientPuller(sameHostWrites);
        var used = target.Store.UsedBytes;
        var (shorter, longer) = (ObjectId.New(), ObjectId.New());

        await Assert.ThrowsAsync<InvalidOperationException>(() => puller.PushSerializedAsync(shorter, target.Id, 6 * Mib,
            output => output.Write(TestData.Pattern(5 * Mib, seed: 9)), CancellationToken.None).WaitAsync(Generous));
        await Assert.ThrowsAsync<InvalidOperationException>(() => puller.PushSerializedAsync(longer, target.Id, 6 * Mib,
            output => output.Write(TestData.Pattern(7 * Mib, seed: 10)), CancellationToken.None).WaitAsync(Generous));

        Assert.False(target.Store.TryGet(shorter, out _));
        Assert.False(target.Store.TryGet(longer, out _));
        Assert.Equal(used, target.Store.UsedBytes);
    }
}
