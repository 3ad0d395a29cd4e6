using Grid.Tests.Fixtures;
using static Grid.Tests.Fixtures.HeterogeneousClusterFixture;

namespace Grid.Tests.Scheduling;

/// <summary>Placement as nodes join and leave: a cluster of its own, since these tests add and stop silos.</summary>
public sealed class ElasticClusterTests(HeterogeneousClusterFixture cluster) : IClassFixture<HeterogeneousClusterFixture>
{
    private GridClient Grid => cluster.Grid;
    // Each awaited step fails the test after this long instead of hanging the run.
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Infeasible_work_is_reported_and_runs_once_a_big_enough_node_joins()
    {
        var big = new Dictionary<string, double> { ["big"] = 1 };
        var task = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Resources = big, Name = "needs-big" }).Remote();
        var actor = await Grid.CreateActorAsync(() => new Placed(), new ActorOptions { Resources = big }).WaitAsync(Step);

        await Until(async () => (await Grid.GetNodesAsync()).SelectMany(n => n.PendingReasons)
            .Any(r => r.Contains("task needs-big is infeasible") && r.Contains("big: 1") && r.Contains("the largest node")), "the infeasible reason in the status");
        var gcs = Grid.Worker.Grains.GetGrain<Grid.Grains.IGcsGrain>(0);
        await Until(async () => (await gcs.GetActor(actor.ActorId))?.PendingReason?.StartsWith("infeasible") == true, "the actor's infeasible reason");

        // Room for both the task and the actor: with one unit, whichever got it first would make the other wait.
        var added = await cluster.AddNodeAsync(new NodeSpec("big", 2, Resources: new Dictionary<string, double> { ["big"] = 2 }));
        Assert.Equal(added.NodeId.Value, await task.GetAsync(Step));
        await actor.KillAsync().WaitAsync(Step);
        var again = await Grid.CreateActorAsync(() => new Placed(), new ActorOptions { Resources = big }).WaitAsync(Step);
        Assert.Equal(added.NodeId.Value, await again.Call(p => p.Node()).GetAsync(Step));
        await again.KillAsync().WaitAsync(Step);
        await Until(async () => (await Grid.GetNodesAsync()).All(n => n.PendingReasons.Length == 0), "no pending reasons left");
    }

    [Fact]
    public async Task Hard_affinity_to_a_dead_node_fails_at_once_and_soft_affinity_runs_elsewhere()
    {
        var doomed = await cluster.AddNodeAsync(new NodeSpec("doomed", 1));
        var pinned = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(doomed.NodeId) });
        Assert.Equal(doomed.NodeId.Value, await pinned.Remote());

        await cluster.StopNodeAsync("doomed");
        var error = await Assert.ThrowsAsync<UnschedulableException>(async () => await pinned.Remote());
        Assert.Contains(doomed.NodeId.Value, error.Message);

        var soft = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(doomed.NodeId, soft: true) });
        Assert.NotEqual(doomed.NodeId.Value, await soft.Remote());
    }

    [Fact]
    public async Task A_pending_strict_spread_group_is_created_when_enough_nodes_join()
    {
        var nodes = (await Grid.GetNodesAsync()).Length;
        var bundles = Enumerable.Range(0, nodes + 1).Select(_ => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { [ResourceSet.Cpu] = 0.5 });
        var pg = await Grid.CreatePlacementGroupAsync(bundles, PlacementGroupStrategy.StrictSpread);
        await Until(async () => (await pg.StateAsync()).PendingReason?.Contains("STRICT_SPREAD") == true, "the group pending for lack of nodes");

        var added = await cluster.AddNodeAsync(new NodeSpec("extra-" + nodes, 1));
        await pg.ReadyAsync(TimeSpan.FromSeconds(30));
        var state = await pg.StateAsync();
        Assert.Equal(nodes + 1, state.BundleNodes.Distinct().Count());
        Assert.Contains(added.NodeId, state.BundleNodes);
        await pg.RemoveAsync();
    }
}

/// <summary>A node dying under a batch of tasks: its tasks retry elsewhere one by one, as single submissions do.</summary>
public sealed class BatchNodeLossTests(HeterogeneousClusterFixture cluster) : IClassFixture<HeterogeneousClusterFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Tasks_of_a_burst_lost_with_their_node_are_retried_on_the_others()
    {
        var grid = cluster.Grid;
        var doomed = await cluster.AddNodeAsync(new NodeSpec("batch-doomed", 2));
        var gate = Guid.NewGuid().ToString("N");
        // Zero-CPU tasks that wait on one gate: the client spreads the burst over every node, the doomed one too.
        var f = grid.Function<string, int, int>(Core.TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0, MaxRetries = 3 });
        var refs = Enumerable.Range(0, 40).Select(i => f.Remote(gate, i)).ToArray();
        await cluster.StopNodeAsync("batch-doomed");
        Core.TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(Enumerable.Range(0, 40), await grid.GetAsync(refs, Step));
        Assert.DoesNotContain(doomed.NodeId, (await grid.GetNodesAsync()).Select(n => n.NodeId));
    }
}
