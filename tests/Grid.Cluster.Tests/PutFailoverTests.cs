using System.Diagnostics;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// A remote client's put has not happened until its node holds the whole value: a node that dies under the put, or
/// that died a moment before the client's view of the cluster knew it, costs a second push to a live node, never the
/// value. (A put that did happen and then lost its only copy is <see cref="ObjectLostException"/>: see the lineage tests.)
/// </summary>
public sealed class PutFailoverTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Puts_aimed_at_a_just_killed_worker_land_on_a_live_node()
    {
        var cluster = new SmallCluster();
        await cluster.InitializeAsync();
        try
        {
            await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
            var worker = cluster.NodePid("worker");
            // Both nodes take a put first, so the client's connections to both are open when one dies.
            foreach (var i in new[] { 100, 101 }) Assert.Equal(Array(i), await (await grid.PutAsync(Array(i))).GetAsync(Step));

            using (var process = Process.GetProcessById(worker)) process.Kill();
            await Eventually.WaitAsync(() => !LocalCluster.IsRunning(worker), Step, "the worker process to die");

            // Membership needs seconds to declare the worker dead, and the client's view follows it: until then the
            // client puts into both nodes in turn, so some of these are pushed first to the dead one.
            var arrays = new List<ObjectRef<long[]>>();
            var texts = new List<ObjectRef<string>>();
            for (var i = 0; i < 4; i++)
            {
                arrays.Add(await grid.PutAsync(Array(i)).WaitAsync(Step));
                texts.Add(await grid.PutAsync(Text(i)).WaitAsync(Step));
            }
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(Array(i), await arrays[i].GetAsync(Step));
                Assert.Equal(Text(i), await texts[i].GetAsync(Step));
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>800 KB of longs: past the inline threshold, a raw array pushed from its own memory.</summary>
    private static long[] Array(int seed) => [.. Enumerable.Range(0, 100_000).Select(k => (long)seed * 1_000_003 + k)];

    /// <summary>A value of another type past the threshold: serialized into the node's object as it is pushed.</summary>
    private static string Text(int seed) => string.Concat(Enumerable.Repeat($"put {seed};", 40_000));
}
