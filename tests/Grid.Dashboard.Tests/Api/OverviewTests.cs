using Grid.State;
using Grid.Testing;

namespace Grid.Dashboard.Tests.Api;

/// <summary>GET /api/cluster: the overview agrees with the listings.</summary>
[Collection("dashboard")]
public sealed class OverviewTests(DashboardCluster cluster)
{
    [Fact]
    public async Task The_overview_counts_the_nodes_resources_and_actors_the_listings_show()
    {
        await using var job = await cluster.Cluster.ConnectClientAsync();
        var actor = await job.CreateActorAsync(() => new Tally());
        Assert.Equal(3, await actor.Call(t => t.Add(3)));

        var overview = await cluster.GetAsync<ClusterOverview>("api/cluster");
        Assert.Equal(DashboardCluster.Nodes, overview.NodesAlive);
        Assert.Equal(0, overview.NodesDead);
        Assert.Equal(DashboardCluster.Nodes * DashboardCluster.CpusPerNode, overview.Resources["CPU"].Total);
        var actors = await cluster.GetAsync<Page<ActorView>>("api/actors?state=ALIVE");
        Assert.Equal(actors.Total, overview.ActorsByState["ALIVE"]);
        Assert.True(overview.ObjectStoreCapacityBytes > 0);
        Assert.Equal(["FAILED", "FINISHED", "PENDING", "RUNNING"], overview.TasksByState.Keys.Order());
        Assert.False(string.IsNullOrEmpty(overview.Address));
    }
}
