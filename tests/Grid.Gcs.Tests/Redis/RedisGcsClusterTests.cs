using Grid.Silo.Gcs;
using Grid.Testing;

namespace Grid.Gcs.Tests.Redis;

/// <summary>
/// The in-process test cluster with its GCS in a real redis-server (<see cref="GridTestClusterBuilder.UseRedisGcs"/>):
/// every node publishes itself to Redis, and work placed through the GCS's records runs on each node.
/// </summary>
public sealed class RedisGcsClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static string Where() => GridContext.Current.NodeId.Value;

    [Fact]
    public async Task The_silos_of_an_in_process_cluster_share_a_GCS_in_Redis_and_run_work_on_every_node()
    {
        await using var cluster = await new GridTestClusterBuilder().Silos(2).ConfigureNodes(o => o.NumCpus = 2).UseRedisGcs(redis).StartAsync();

        // The test reads the GCS through a connection of its own: both nodes are recorded there, alive.
        Assert.IsType<RedisGcs>(cluster.Gcs);
        var recorded = (await cluster.Gcs.GetNodesAsync()).Where(n => n.State == Wire.NodeState.Alive).Select(n => n.NodeId.Value).Order();
        Assert.Equal(cluster.Silos.Select(s => GridTestCluster.NodeOf(s).Value).Order(), recorded);

        // A task pinned to each node runs there.
        foreach (var node in await cluster.NodesAsync())
        {
            var where = cluster.Grid.Function<string>(Where, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(node) });
            Assert.Equal(node.Value, await where.Remote().GetAsync(Patience));
        }
    }
}
