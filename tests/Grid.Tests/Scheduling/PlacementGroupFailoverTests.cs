using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Testing;
using Orleans.Runtime;

namespace Grid.Tests.Scheduling;

/// <summary>
/// Placement groups outlive silos: the group's record lives in the GCS, so a group whose grain's silo is killed is
/// found again on a live silo, and a bundle whose node died is reserved again on a live node (RESCHEDULING, then
/// CREATED, as in Ray). Each test has its own three silos, since it kills one.
/// </summary>
[Collection("node-kills")]
public sealed class PlacementGroupFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static Dictionary<string, double> OneCpu => new() { [ResourceSet.Cpu] = 1 };

    [Fact]
    public async Task A_group_whose_grain_and_bundle_died_with_their_silo_is_found_again_and_its_bundle_rescheduled()
    {
        await using var cluster = await FailoverCluster.StartAsync();
        var grid = cluster.Grid;
        var victim = cluster.Victim;

        // Created from a task on the victim: the group's grain lives there, and Pack puts its bundle there too.
        var id = new PlacementGroupId(await grid.Function<string>(PlacementGroupFailoverFunctions.CreateGroupHere,
            new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(victim) }).Remote().GetAsync(Patience));
        var group = grid.Worker.Grains.GetGrain<IPlacementGroupGrain>(id.Value);
        Assert.Equal(victim, Assert.Single((await group.GetInfo())!.BundleNodes));
        Assert.True(await cluster.HostsGrainAsync(victim, id), "the group's grain should live on the silo that created it");

        await cluster.KillAsync(victim);

        var rescheduled = await Eventually.WaitAsync(async () => await group.GetInfo(),
            g => g is { State: PlacementGroupState.Created } && g.BundleNodes[0] != victim, Patience, "the group to be created again on a live node");
        Assert.Equal(PlacementGroupState.Created, (await cluster.Gcs.GetPlacementGroupAsync(id))!.State);
        var where = grid.Function<string>(SchedulingFunctions.Where, new TaskOptions { Scheduling = SchedulingStrategy.PlacementGroup(id, 0) });
        Assert.Equal(rescheduled!.BundleNodes[0].Value, await where.Remote().GetAsync(Patience));
    }

    [Fact]
    public async Task A_strict_spread_bundle_whose_node_died_waits_rescheduling_until_a_node_joins_and_the_others_stay()
    {
        await using var cluster = await FailoverCluster.StartAsync();
        var grid = cluster.Grid;
        var pg = await grid.CreatePlacementGroupAsync([OneCpu, OneCpu, OneCpu], PlacementGroupStrategy.StrictSpread);
        await pg.ReadyAsync(Patience);
        var before = (await pg.StateAsync()).BundleNodes;
        var lost = Array.IndexOf(before, cluster.Victim);

        await cluster.KillAsync(cluster.Victim);

        // Every live node holds a bundle of the group already: the lost one waits, and says so.
        var waiting = await Eventually.WaitAsync(() => pg.StateAsync(), g => g.State == PlacementGroupState.Rescheduling && g.PendingReason is not null,
            Patience, "the group to be rescheduling its lost bundle");
        Assert.Contains($"bundle {lost}", waiting.PendingReason);
        Assert.Equal(PlacementGroupState.Rescheduling, (await cluster.Gcs.GetPlacementGroupAsync(pg.Id))!.State);

        var joined = await cluster.AddSiloAsync();
        var created = await Eventually.WaitAsync(() => pg.StateAsync(), g => g.State == PlacementGroupState.Created, Patience, "the group to be created again");
        Assert.Equal(joined, created.BundleNodes[lost]);
        Assert.Equal(before.Where((_, i) => i != lost), created.BundleNodes.Where((_, i) => i != lost));
        await pg.ReadyAsync(Patience);
        await pg.RemoveAsync();
    }

    /// <summary>Three silos of 2 CPUs (<see cref="GridTestCluster"/>), with the node-level steps these tests take.</summary>
    private sealed class FailoverCluster(GridTestCluster cluster) : IAsyncDisposable
    {
        public IGcs Gcs => cluster.Gcs;
        public GridClient Grid => cluster.Grid;

        /// <summary>A silo other than the first (which hosts the test cluster's membership), to kill.</summary>
        public NodeId Victim => GridTestCluster.NodeOf(cluster.Silos[^1]);

        public static async Task<FailoverCluster> StartAsync() =>
            new(await new GridTestClusterBuilder().Silos(3).ConfigureNodes(o => o.NumCpus = 2).Patience(Patience).StartAsync());

        /// <summary>Kills <paramref name="node"/>'s silo and waits until the cluster view drops the node.</summary>
        public async Task KillAsync(NodeId node) => await await cluster.KillAsync(cluster.SiloOf(node));

        public async Task<NodeId> AddSiloAsync() => GridTestCluster.NodeOf(await cluster.AddSiloAsync());

        /// <summary>Whether the placement group's grain is active on <paramref name="node"/>'s silo.</summary>
        public async Task<bool> HostsGrainAsync(NodeId node, PlacementGroupId group)
        {
            var stats = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, [SiloAddress.FromParsableString(node.Value)]);
            return stats.Any(s => s.GrainId.Key.ToString() == group.Value && s.GrainType.Contains(nameof(IPlacementGroupGrain)[1..]));
        }

        public ValueTask DisposeAsync() => cluster.DisposeAsync();
    }
}

/// <summary>Remote functions of the failover tests.</summary>
public static class PlacementGroupFailoverFunctions
{
    /// <summary>Creates a one-bundle group from the node this task runs on (so its grain lives there) and returns its id.</summary>
    public static async Task<string> CreateGroupHere()
    {
        var pg = await GridContext.Current.Grid.CreatePlacementGroupAsync([new Dictionary<string, double> { [ResourceSet.Cpu] = 1 }]);
        await pg.ReadyAsync(TimeSpan.FromSeconds(30));
        return pg.Id.Value;
    }
}
