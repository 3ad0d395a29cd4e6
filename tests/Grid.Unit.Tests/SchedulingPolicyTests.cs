using Grid.Silo;
using Grid.Silo.Raylet;

namespace Grid.Unit.Tests;

// Inside the namespace: at the top, "Grid.Unit" would name the type Grid.Unit before this namespace.
using static PolicyHarness;

/// <summary>
/// Where a raylet's scheduling policy sends work (Ray's hybrid, spread, node-affinity and label policies, and placement
/// groups' bundles), from what its own ledger holds and what its cluster view says of the other nodes. The local node
/// is 10.0.0.2 in every test, so that SPREAD, which goes round the nodes in id order starting from itself, has a node
/// on each side.
/// </summary>
public sealed class SchedulingPolicyTests
{
    private const int Here = 2;

    private static ResourceSet Cpus(double n) => ResourceSet.Of((ResourceSet.Cpu, n));

    private static Action<GridNodeOptions> Declaring(double cpus, Dictionary<string, string>? labels = null) => o =>
    {
        o.NumCpus = cpus;
        if (labels is not null) o.Labels = labels;
    };

    private static void IsLocal(Placement placement) => Assert.Equal(PlacementKind.Local, placement.Kind);

    private static void IsForwardedTo(int node, Placement placement)
    {
        Assert.Equal(PlacementKind.Forward, placement.Kind);
        Assert.Equal(Id(node), placement.Node);
    }

    // ---- The hybrid policy (default scheduling) ----

    [Fact]
    public async Task Work_runs_here_while_the_local_node_has_room_though_another_node_has_more()
    {
        await using var node = await StartAsync(Here, Declaring(4), Node(1, Cpus(16)));

        IsLocal(node.Policy.Decide(Cpus(1), null, null, hops: 0));
        IsLocal(node.Policy.Decide(Cpus(4), SchedulingStrategy.Default, null, hops: 0));
    }

    [Fact]
    public async Task Work_spills_from_a_full_local_node_to_the_node_with_most_free_CPUs()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(1, Cpus(4), available: Cpus(1)), Node(3, Cpus(4), available: Cpus(3)));
        using var busy = await node.HoldAsync(Cpus(2));

        IsForwardedTo(3, node.Policy.Decide(Cpus(1), null, null, hops: 0));
    }

    [Fact]
    public async Task Spilled_work_prefers_the_node_holding_its_largest_argument_while_that_node_has_room()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(1, Cpus(4), available: Cpus(1)), Node(3, Cpus(4), available: Cpus(3)));
        using var busy = await node.HoldAsync(Cpus(2));

        IsForwardedTo(1, node.Policy.Decide(Cpus(1), null, preferred: Id(1), hops: 0));
        // The argument's holder has no room left for a second one: the node with most free CPUs takes it.
        IsForwardedTo(3, node.Policy.Decide(Cpus(1), null, preferred: Id(1), hops: 0));
    }

    [Fact]
    public async Task A_burst_spills_only_what_the_other_node_has_room_for_and_queues_the_rest_here()
    {
        // The view's record of node 3 says 2 CPUs are free; what was sent there counts against that until its next record.
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4), available: Cpus(2)));
        using var busy = await node.HoldAsync(Cpus(2));

        IsForwardedTo(3, node.Policy.Decide(Cpus(1), null, null, hops: 0));
        IsForwardedTo(3, node.Policy.Decide(Cpus(1), null, null, hops: 0));
        IsLocal(node.Policy.Decide(Cpus(1), null, null, hops: 0));
    }

    [Fact]
    public async Task Work_queues_here_when_no_other_node_has_room_and_the_local_node_can_run_it_later()
    {
        // Node 1 is full; node 3 has free CPUs but a queue, which counts as no room.
        await using var node = await StartAsync(Here, Declaring(2), Node(1, Cpus(4), available: Cpus(0)), Node(3, Cpus(4), queued: 2));
        using var busy = await node.HoldAsync(Cpus(2));

        IsLocal(node.Policy.Decide(Cpus(1), null, null, hops: 0));
        Assert.True(node.Policy.QueuesHereByDefault(Cpus(1)));
    }

    [Fact]
    public async Task Work_the_local_node_can_never_run_goes_to_a_node_that_can_the_one_with_the_shortest_queue_when_none_has_room()
    {
        await using var node = await StartAsync(Here, Declaring(2),
            Node(1, Cpus(8), available: Cpus(0), queued: 5), Node(3, Cpus(16), available: Cpus(0), queued: 1));

        IsForwardedTo(3, node.Policy.Decide(Cpus(8), null, null, hops: 0));
        Assert.False(node.Policy.QueuesHereByDefault(Cpus(8)));
    }

    [Fact]
    public async Task Work_no_live_node_could_ever_run_is_infeasible_and_says_what_the_largest_node_has()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4)));

        var placement = node.Policy.Decide(ResourceSet.Of(("accelerator", 1)), null, null, hops: 0);

        Assert.Equal(PlacementKind.Infeasible, placement.Kind);
        Assert.Contains("the largest node", placement.Reason);
    }

    [Fact]
    public async Task Forwarded_work_settles_here_when_the_local_node_can_ever_run_it_even_while_full()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4)));
        using var busy = await node.HoldAsync(Cpus(2));

        IsForwardedTo(3, node.Policy.Decide(Cpus(1), null, null, hops: 0));
        IsLocal(node.Policy.Decide(Cpus(1), null, null, hops: 1));
    }

    [Fact]
    public async Task Work_forwarded_four_times_that_cannot_run_here_stops_bouncing_and_is_infeasible()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4)));

        IsForwardedTo(3, node.Policy.Decide(Cpus(4), null, null, hops: 3));
        var settled = node.Policy.Decide(Cpus(4), null, null, hops: 4);

        Assert.Equal(PlacementKind.Infeasible, settled.Kind);
        Assert.Contains("forwarded 4 times", settled.Reason);
    }

    [Fact]
    public async Task Work_queues_here_by_default_only_while_no_other_node_has_room_and_the_local_node_can_run_it()
    {
        await using (var alone = await StartAsync(Here, Declaring(2), Node(3, Cpus(4), available: Cpus(0))))
            Assert.True(alone.Policy.QueuesHereByDefault(Cpus(1)));
        await using (var withRoomElsewhere = await StartAsync(Here, Declaring(2), Node(3, Cpus(4))))
            Assert.False(withRoomElsewhere.Policy.QueuesHereByDefault(Cpus(1)));
    }

    // ---- SPREAD ----

    [Fact]
    public async Task Spread_goes_round_the_nodes_in_id_order_starting_here()
    {
        await using var node = await StartAsync(Here, Declaring(4), Node(1, Cpus(4)), Node(3, Cpus(4)));

        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
        IsForwardedTo(3, node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
        IsForwardedTo(1, node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
    }

    [Fact]
    public async Task Spread_passes_over_a_node_without_room_and_a_node_that_can_never_run_the_work()
    {
        await using var node = await StartAsync(Here, Declaring(4), Node(1, Cpus(4)), Node(3, Cpus(4), available: Cpus(0)), Node(4, Cpus(1)));

        var placements = Enumerable.Range(0, 8).Select(_ => node.Policy.Decide(Cpus(2), SchedulingStrategy.Spread, null, hops: 0)).ToArray();

        Assert.All(placements, p => Assert.True(p.Kind == PlacementKind.Local || p.Node == Id(1), $"{p.Kind} {p.Node}"));
        Assert.Contains(placements, p => p.Kind == PlacementKind.Local);
        Assert.Contains(placements, p => p.Node == Id(1));
    }

    [Fact]
    public async Task Spread_with_no_room_anywhere_keeps_going_round_and_forwarded_work_queues_where_it_is()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(1, Cpus(2), available: Cpus(0)), Node(3, Cpus(2), available: Cpus(0)));
        using var busy = await node.HoldAsync(Cpus(2));

        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
        IsForwardedTo(3, node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
        IsForwardedTo(1, node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 0));
        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 1));
    }

    [Fact]
    public async Task Forwarded_spread_work_settles_here_when_it_fits_now()
    {
        await using var node = await StartAsync(Here, Declaring(4), Node(1, Cpus(4)), Node(3, Cpus(4)));

        for (var i = 0; i < 3; i++) IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.Spread, null, hops: 1));
    }

    [Fact]
    public async Task Spread_work_no_node_can_run_is_infeasible()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4)));

        Assert.Equal(PlacementKind.Infeasible, node.Policy.Decide(Cpus(8), SchedulingStrategy.Spread, null, hops: 0).Kind);
    }

    // ---- Node affinity ----

    [Fact]
    public async Task Hard_affinity_to_another_live_node_goes_there_whatever_the_view_says_of_its_room()
    {
        // The target decides for itself from its own ledger: the view may be a refresh behind.
        await using var node = await StartAsync(Here, Declaring(4), Node(3, Cpus(4), available: Cpus(0)));

        IsForwardedTo(3, node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(Id(3)), null, hops: 0));
        IsForwardedTo(3, node.Policy.Decide(Cpus(64), SchedulingStrategy.NodeAffinity(Id(3)), null, hops: 0));
    }

    [Fact]
    public async Task Hard_affinity_to_the_local_node_runs_here_full_or_not()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4)));

        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(node.Local), null, hops: 0));
        using var busy = await node.HoldAsync(Cpus(2));
        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(node.Local), null, hops: 0));
    }

    [Fact]
    public async Task Hard_affinity_to_a_node_not_in_the_cluster_is_unschedulable_and_soft_affinity_falls_back_to_the_hybrid_policy()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(4)));

        var hard = node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(Id(9)), null, hops: 0);
        Assert.Equal(PlacementKind.Unschedulable, hard.Kind);
        Assert.Contains("dead or not part of the cluster", hard.Reason);

        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(Id(9), soft: true), null, hops: 0));
    }

    [Fact]
    public async Task Hard_affinity_to_a_node_too_small_for_the_work_is_unschedulable_and_soft_affinity_goes_elsewhere()
    {
        await using var node = await StartAsync(Here, Declaring(2), Node(3, Cpus(8)));

        var hard = node.Policy.Decide(Cpus(4), SchedulingStrategy.NodeAffinity(node.Local), null, hops: 0);
        Assert.Equal(PlacementKind.Unschedulable, hard.Kind);
        Assert.Contains("has only", hard.Reason);

        IsForwardedTo(3, node.Policy.Decide(Cpus(4), SchedulingStrategy.NodeAffinity(node.Local, soft: true), null, hops: 0));
    }

    [Fact]
    public async Task Soft_affinity_goes_to_its_node_while_it_has_room_and_otherwise_where_the_hybrid_policy_says()
    {
        await using (var roomThere = await StartAsync(Here, Declaring(4), Node(3, Cpus(4))))
            IsForwardedTo(3, roomThere.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(Id(3), soft: true), null, hops: 0));

        await using (var fullThere = await StartAsync(Here, Declaring(4), Node(3, Cpus(4), available: Cpus(0))))
            IsLocal(fullThere.Policy.Decide(Cpus(1), SchedulingStrategy.NodeAffinity(Id(3), soft: true), null, hops: 0));
    }

    // ---- Node labels ----

    [Fact]
    public async Task Label_selection_is_limited_to_the_matching_nodes_and_infeasible_when_none_matches()
    {
        var a = new Dictionary<string, string> { ["zone"] = "a" };
        var b = new Dictionary<string, string> { ["zone"] = "b" };
        await using var node = await StartAsync(Here, Declaring(4, a), Node(3, Cpus(4), labels: b));

        IsForwardedTo(3, node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeLabels(b), null, hops: 0));
        IsLocal(node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeLabels(a), null, hops: 0));

        var none = node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeLabels(new Dictionary<string, string> { ["zone"] = "z" }), null, hops: 0);
        Assert.Equal(PlacementKind.Infeasible, none.Kind);
        Assert.Contains("no live node has the labels", none.Reason);
    }

    [Fact]
    public async Task Soft_labels_prefer_the_matching_nodes_among_those_of_the_hard_labels()
    {
        var zone = new Dictionary<string, string> { ["zone"] = "b" };
        var ssd = new Dictionary<string, string> { ["disk"] = "ssd" };
        await using var node = await StartAsync(Here, Declaring(4),
            Node(1, Cpus(4), labels: new Dictionary<string, string> { ["zone"] = "b", ["disk"] = "ssd" }),
            Node(3, Cpus(16), labels: zone));

        IsForwardedTo(1, node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeLabels(zone, ssd), null, hops: 0));
        // Without the preference, the hybrid policy takes the matching node with most free CPUs.
        IsForwardedTo(3, node.Policy.Decide(Cpus(1), SchedulingStrategy.NodeLabels(zone), null, hops: 0));
    }

    // ---- Placement groups ----

    [Fact]
    public async Task Work_in_a_placement_group_goes_only_to_the_nodes_of_its_bundles_and_to_one_with_room_in_its_bundle()
    {
        // Work in "any bundle" of a group asks for the group's resources, which only nodes holding its bundles have;
        // the local node has plain CPUs to spare but no bundle.
        var group = new PlacementGroupId("pg1");
        var bundle = BundleResources.Reserved(Cpus(1), 0, group);
        var otherBundle = BundleResources.Reserved(Cpus(1), 1, group);
        await using var node = await StartAsync(Here, Declaring(8),
            Node(1, Cpus(4).Add(bundle), available: Cpus(4)),
            Node(3, Cpus(4).Add(otherBundle)));
        var need = BundleResources.Rewrite(Cpus(1), -1, group);

        IsForwardedTo(3, node.Policy.Decide(need, null, null, hops: 0, within: [Id(1), Id(3)]));
        // Only the bundles' nodes are candidates, even for work the local node could run.
        IsForwardedTo(3, node.Policy.Decide(Cpus(1), null, null, hops: 0, within: [Id(3)]));
    }
}
