using Grid.Tests.Fixtures;
using static Grid.Tests.Fixtures.HeterogeneousClusterFixture;

namespace Grid.Tests.Hostile;

/// <summary>An actor whose node goes away: its callers learn it in Grid's words, not in the transport's.</summary>
public sealed class ActorDeathMessageTests(HeterogeneousClusterFixture cluster) : IClassFixture<HeterogeneousClusterFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Calls_to_an_actor_whose_node_stopped_fail_with_ActorDiedException_in_Grids_words()
    {
        var grid = cluster.Grid;
        var node = await cluster.AddNodeAsync(new NodeSpec("actor-doomed", 1));
        var actor = await grid.CreateActorAsync(() => new Doomed(), new ActorOptions { Scheduling = SchedulingStrategy.NodeAffinity(node.NodeId) }).WaitAsync(Step);
        Assert.Equal(1, await actor.Call(d => d.Ping()).GetAsync(Step));

        await cluster.StopNodeAsync("actor-doomed");
        var e = await Assert.ThrowsAsync<ActorDiedException>(() => actor.Call(d => d.Ping()).GetAsync(Step));

        Assert.Contains(actor.ActorId.ToString(), e.Message);
        Assert.DoesNotContain("Orleans", e.Message);
        Assert.DoesNotContain("Exception", e.Message);
        Assert.DoesNotContain("silo", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class Doomed
{
    public int Ping() => 1;
}
