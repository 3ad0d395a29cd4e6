using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Grid.ObjectStore.Tests;

/// <summary>Large objects between two silos: intact, by the same-host path and by the network path.</summary>
public sealed class LargeTransferTests(TwoSiloCluster cluster, ITestOutputHelper output) : IClassFixture<TwoSiloCluster>
{
    private const int Gib = 1024 * 1024 * 1024;

    [Fact]
    public async Task One_GiB_crosses_between_two_silos_and_back_intact()
    {
        var (a, b) = (cluster[0], cluster[1]);
        var id = ObjectId.New();
        using (var writer = a.Store.Create(id, Gib))
        {
            new Random(42).NextBytes(writer.Span);
            writer.Seal();
        }
        try
        {
            // a → b
            var started = Stopwatch.GetTimestamp();
            using (var there = await b.Objects.PullAsync(id, a.Id, Gib, CancellationToken.None))
            {
                Report("pull a→b", Stopwatch.GetElapsedTime(started));
                Assert.True(a.Store.TryGet(id, out var original));
                using (original) Assert.True(there.Span.SequenceEqual(original.Span));
            }

            // and back: a drops its copy, then pulls it from b again.
            Assert.True(a.Store.Delete(id));
            started = Stopwatch.GetTimestamp();
            using var back = await a.Objects.PullAsync(id, b.Id, Gib, CancellationToken.None);
            Report("pull b→a", Stopwatch.GetElapsedTime(started));
            var expected = new byte[64 * 1024 * 1024];
            var random = new Random(42);
            for (long offset = 0; offset < Gib; offset += expected.Length)
            {
                random.NextBytes(expected);
                Assert.True(back.Span.Slice((int)offset, expected.Length).SequenceEqual(expected), $"bytes differ in [{offset}, {offset + expected.Length})");
            }
        }
        finally
        {
            a.Store.Delete(id);
            b.Store.Delete(id);
        }
    }

    [Fact]
    public async Task The_network_path_moves_large_objects_intact_when_same_host_reads_are_off()
    {
        var source = cluster[1];
        var id = ObjectId.New();
        var data = TestData.Pattern(96 * 1024 * 1024, seed: 96);
        source.Store.Put(id, data);
        using var puller = new ObjectManager(cluster.Cluster.Client, null,
            Options.Create(new ObjectStoreOptions { AllowSameHostReads = false }), NullLogger<ObjectManager>.Instance);

        var started = Stopwatch.GetTimestamp();
        var fetched = await puller.FetchAsync(id, source.Id, data.Length, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.True(fetched.AsSpan().SequenceEqual(data));
        output.WriteLine($"network fetch of 96 MiB: {data.Length / elapsed.TotalSeconds / 1e9:F2} GB/s");
        source.Store.Delete(id);
    }

    [Fact]
    public async Task Silos_on_one_machine_share_an_object_file_instead_of_copying_it()
    {
        var (source, target) = (cluster[1], cluster[0]);
        var id = ObjectId.New();
        var data = TestData.Pattern(8 * 1024 * 1024, seed: 8);
        source.Store.Put(id, data);
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(target.Objects, paths);

        using var pulled = await target.Objects.PullAsync(id, source.Id, data.Length, CancellationToken.None);

        Assert.True(pulled.Span.SequenceEqual(data));
        Assert.Equal(["same-host-link"], paths);
        // One file, two names: deleting the source's copy leaves the target's intact.
        Assert.True(source.Store.Delete(id));
        Assert.True(pulled.Span.SequenceEqual(data));
        target.Store.Delete(id);
    }

    [Fact]
    public async Task A_process_without_a_store_on_the_same_machine_copies_from_the_source_file()
    {
        var source = cluster[1];
        var id = ObjectId.New();
        var data = TestData.Pattern(12 * 1024 * 1024, seed: 12);
        source.Store.Put(id, data);
        using var puller = cluster.ClientPuller();
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(puller, paths);

        var fetched = await puller.FetchAsync(id, source.Id, data.Length, CancellationToken.None);

        Assert.True(fetched.AsSpan().SequenceEqual(data));
        Assert.Equal(["same-host"], paths);
        source.Store.Delete(id);
    }

    private void Report(string what, TimeSpan elapsed) =>
        output.WriteLine($"{what}: 1 GiB in {elapsed.TotalMilliseconds:F0} ms = {Gib / elapsed.TotalSeconds / 1e9:F2} GB/s");
}
