using Microsoft.Extensions.DependencyInjection;
using Grid.Tests.Core;
using Grid.Tests.Fixtures;
using Grid.Wire;
using static Grid.Tests.Fixtures.HeterogeneousClusterFixture;

namespace Grid.Tests.Scheduling;

/// <summary>Placement groups: all-or-nothing bundles, work scheduled into them, and removal.</summary>
[Collection("heterogeneous")]
public sealed class PlacementGroupTests(HeterogeneousClusterFixture cluster)
{
    private GridClient Grid => cluster.Grid;
    // Each awaited result fails the test after this long instead of hanging the run.
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private static Dictionary<string, double> Cpus(double n) => new() { [ResourceSet.Cpu] = n };

    /// <summary>Free resources per node, without the placement-group names, once nothing runs.</summary>
    private async Task<Dictionary<NodeId, ResourceSet>> FreeAsync() =>
        (await Grid.GetNodesAsync()).ToDictionary(n => n.NodeId, n => n.Available.Only(r => !r.Contains("_group_")));

    /// <summary>
    /// True once every node has all it declared free again (the tests of this collection leave nothing
    /// running). Compared with the totals rather than an earlier snapshot, which may lag the ledger.
    /// </summary>
    private async Task<bool> SameFreeAsync(Dictionary<NodeId, ResourceSet> _) =>
        (await Grid.GetNodesAsync()).All(n => n.Available.Only(r => !r.Contains("_group_")).Equals(n.Total.Only(r => !r.Contains("_group_"))));

    /// <summary>True once the cluster view of every silo (what its group grains plan with) shows every resource free.</summary>
    private bool EveryViewSeesEverythingFree() =>
        cluster.Cluster.Silos.All(s => ((Orleans.TestingHost.InProcessSiloHandle)s).ServiceProvider
            .GetRequiredService<global::Grid.Silo.Raylet.ClusterView>().Nodes
            .All(n => n.Available.Only(r => !r.Contains("_group_")).Equals(n.Total.Only(r => !r.Contains("_group_")))));

    [Fact]
    public async Task Strict_spread_puts_each_bundle_on_its_own_node_and_work_runs_in_its_bundle()
    {
        var pg = await Grid.CreatePlacementGroupAsync([Cpus(1), Cpus(1), Cpus(1)], PlacementGroupStrategy.StrictSpread);
        await pg.ReadyAsync(TimeSpan.FromSeconds(30));
        var state = await pg.StateAsync();
        Assert.Equal(PlacementGroupState.Created, state.State);
        Assert.Equal(3, state.BundleNodes.Distinct().Count());

        for (var i = 0; i < 3; i++)
        {
            var where = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = pg.Bundle(i) });
            Assert.Equal(state.BundleNodes[i].Value, await where.Remote());
        }
        await pg.RemoveAsync();
    }

    [Fact]
    public async Task Strict_pack_reserves_on_one_node_and_the_bundles_are_taken_from_its_free_resources()
    {
        var before = await FreeAsync();
        var pg = await Grid.CreatePlacementGroupAsync([Cpus(1), Cpus(1)], PlacementGroupStrategy.StrictPack);
        await pg.ReadyAsync(TimeSpan.FromSeconds(30));
        var node = Assert.Single((await pg.StateAsync()).BundleNodes.Distinct());
        // Against the node's total, not the snapshot above: work an earlier test left may still be finishing then.
        await Until(async () => (await Grid.GetNodesAsync()).Single(n => n.NodeId == node) is var info
            && info.Available[ResourceSet.Cpu] == info.Total[ResourceSet.Cpu] - 2, "2 CPUs reserved on the packed node");
        await pg.RemoveAsync();
        await Until(() => SameFreeAsync(before), "every resource back after removal");
    }

    [Fact]
    public async Task Removing_a_group_kills_its_actors_stops_its_tasks_and_returns_every_resource()
    {
        var before = await FreeAsync();
        var pg = await Grid.CreatePlacementGroupAsync([new Dictionary<string, double> { [ResourceSet.Cpu] = 1, [ResourceSet.Gpu] = 1 }, Cpus(2)], PlacementGroupStrategy.Pack);
        await pg.ReadyAsync(TimeSpan.FromSeconds(30));

        var actor = await Grid.CreateActorAsync(() => new Placed(), new ActorOptions { NumGpus = 1, Scheduling = pg.Bundle(0) });
        var gpus = await actor.Call(p => p.Gpus()).GetAsync(Step);
        Assert.Single(gpus);
        var gate = "pg-" + Guid.NewGuid().ToString("N");
        var running = Grid.Function<string, string>(SchedulingFunctions.HoldWhere, new TaskOptions { Scheduling = pg.Bundle(1) }).Remote(gate);
        await Until(() => Task.FromResult(SchedulingFunctions.ProbeOf(gate).Running == 1), "a task running in bundle 1");

        await pg.RemoveAsync();

        await Assert.ThrowsAsync<PlacementGroupRemovedException>(async () => await running.GetAsync(Step));
        await Assert.ThrowsAsync<ActorDiedException>(async () => await actor.Call(p => p.Node()).GetAsync(Step));
        Assert.Equal(PlacementGroupState.Removed, (await pg.StateAsync()).State);
        TestFunctions.Gate(gate).TrySetResult(true);
        await Until(() => SameFreeAsync(before), "every resource back after removal");

        var late = Grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = pg.AnyBundle });
        await Assert.ThrowsAsync<PlacementGroupRemovedException>(async () => await late.Remote().GetAsync(Step));
    }

    [Fact]
    public async Task A_strict_spread_group_larger_than_the_cluster_stays_pending_with_a_reason()
    {
        var nodes = (await Grid.GetNodesAsync()).Length;
        var pg = await Grid.CreatePlacementGroupAsync(Enumerable.Range(0, nodes + 1).Select(_ => (IReadOnlyDictionary<string, double>)Cpus(0.1)), PlacementGroupStrategy.StrictSpread);
        await Until(async () => (await pg.StateAsync()).PendingReason?.Contains($"STRICT_SPREAD needs {nodes + 1} nodes") == true, "the pending reason");
        Assert.Equal(PlacementGroupState.Pending, (await pg.StateAsync()).State);
        var error = await Assert.ThrowsAsync<GetTimeoutException>(() => pg.ReadyAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Contains("STRICT_SPREAD", error.Message);
        await pg.RemoveAsync();
    }

    [Fact]
    public async Task Groups_that_fit_are_created_when_create_returns_on_whichever_node_holds_their_grain_and_removal_returns_everything()
    {
        var before = await FreeAsync();
        await Until(() => Task.FromResult(EveryViewSeesEverythingFree()), "every node's cluster view showing every resource free");
        // CPU bundles fit on any node (their grain's own is preferred); accelerator bundles only on node c, so most of
        // those are reserved by a grain on another node, with a message.
        var groups = new List<PlacementGroup>();
        for (var i = 0; i < 8; i++)
        {
            groups.Add(await Grid.CreatePlacementGroupAsync([Cpus(0.1)]));
            groups.Add(await Grid.CreatePlacementGroupAsync([new Dictionary<string, double> { ["accelerator"] = 0.1 }]));
        }
        var acceleratorNode = (await Grid.GetNodesAsync()).Single(n => n.Labels.GetValueOrDefault("zone") == "c").NodeId;
        foreach (var (g, i) in groups.Select((g, i) => (g, i)))
        {
            var state = await g.StateAsync();
            Assert.Equal(PlacementGroupState.Created, state.State);
            var node = Assert.Single(state.BundleNodes);
            if (i % 2 == 1) Assert.Equal(acceleratorNode, node);
            await g.ReadyAsync(Step);
        }

        foreach (var g in groups) await g.RemoveAsync().WaitAsync(Step);

        foreach (var g in groups)
        {
            Assert.Equal(PlacementGroupState.Removed, (await g.StateAsync()).State);
            await Assert.ThrowsAsync<PlacementGroupRemovedException>(() => g.ReadyAsync(Step));
        }
        await Until(() => SameFreeAsync(before), "every resource back after removal");
    }

    [Fact]
    public async Task A_group_waiting_for_resources_is_returned_pending_and_becomes_ready_once_another_group_returns_them()
    {
        var before = await FreeAsync();
        await Until(() => SameFreeAsync(before), "every resource free before the test");
        var accelerator = new Dictionary<string, double> { ["accelerator"] = 1 };
        var holder = await Grid.CreatePlacementGroupAsync([accelerator]);
        await holder.ReadyAsync(Step);

        var waiting = await Grid.CreatePlacementGroupAsync([accelerator]);

        Assert.Equal(PlacementGroupState.Pending, (await waiting.StateAsync()).State);
        await Assert.ThrowsAsync<GetTimeoutException>(() => waiting.ReadyAsync(TimeSpan.FromMilliseconds(200)));
        await holder.RemoveAsync().WaitAsync(Step);
        await waiting.ReadyAsync(Step);
        var state = await waiting.StateAsync();
        Assert.Equal(PlacementGroupState.Created, state.State);
        Assert.Equal("c", (await Grid.GetNodesAsync()).Single(n => n.NodeId == Assert.Single(state.BundleNodes)).Labels["zone"]);
        await waiting.RemoveAsync().WaitAsync(Step);
        await Until(() => SameFreeAsync(before), "every resource back after removal");
    }
}
