using Grid.Silo.Placement;
using Grid.Wire;

namespace Grid.Unit.Tests;

/// <summary>How a placement group's bundles are laid over nodes by its strategy, from what each node has free.</summary>
public sealed class BundlePlannerTests
{
    private static NodeInfo Node(string id, double freeCpus, double totalCpus = 8) => new()
    {
        NodeId = new NodeId(id),
        Total = ResourceSet.Of((ResourceSet.Cpu, totalCpus)),
        Available = ResourceSet.Of((ResourceSet.Cpu, freeCpus)),
    };

    private static ResourceSet Cpus(double n) => ResourceSet.Of((ResourceSet.Cpu, n));

    [Fact]
    public void Strict_pack_puts_every_bundle_on_the_one_node_whose_free_resources_hold_their_sum()
    {
        var (nodes, reason) = BundlePlanner.Plan([Cpus(2), Cpus(3)], PlacementGroupStrategy.StrictPack, [Node("a", 4), Node("b", 6)]);
        Assert.Null(reason);
        Assert.Equal([new NodeId("b"), new NodeId("b")], nodes!);
    }

    [Fact]
    public void Strict_pack_larger_than_any_node_is_infeasible_and_larger_than_what_is_free_waits()
    {
        var (_, infeasible) = BundlePlanner.Plan([Cpus(6), Cpus(6)], PlacementGroupStrategy.StrictPack, [Node("a", 8), Node("b", 8)]);
        Assert.StartsWith("infeasible", infeasible);
        var (_, waiting) = BundlePlanner.Plan([Cpus(3), Cpus(3)], PlacementGroupStrategy.StrictPack, [Node("a", 4), Node("b", 5)]);
        Assert.StartsWith("waiting for resources", waiting);
    }

    [Fact]
    public void Strict_spread_puts_each_bundle_on_its_own_node_and_needs_as_many_nodes_as_bundles()
    {
        var (nodes, reason) = BundlePlanner.Plan([Cpus(1), Cpus(1), Cpus(1)], PlacementGroupStrategy.StrictSpread, [Node("a", 4), Node("b", 4), Node("c", 4)]);
        Assert.Null(reason);
        Assert.Equal(3, nodes!.Distinct().Count());

        var (none, tooFew) = BundlePlanner.Plan([Cpus(1), Cpus(1), Cpus(1)], PlacementGroupStrategy.StrictSpread, [Node("a", 4), Node("b", 4)]);
        Assert.Null(none);
        Assert.Contains("needs 3 nodes", tooFew);
    }

    [Fact]
    public void Spread_prefers_unused_nodes_and_reuses_one_when_the_others_are_full()
    {
        var (nodes, reason) = BundlePlanner.Plan([Cpus(2), Cpus(2), Cpus(2)], PlacementGroupStrategy.Spread, [Node("a", 8), Node("b", 1), Node("c", 8)]);
        Assert.Null(reason);
        Assert.DoesNotContain(new NodeId("b"), nodes!);
        Assert.Contains(new NodeId("a"), nodes!);
        Assert.Contains(new NodeId("c"), nodes!);
    }

    [Fact]
    public void Pack_fills_the_preferred_node_first_and_takes_the_largest_bundle_first()
    {
        var (nodes, reason) = BundlePlanner.Plan([Cpus(1), Cpus(4)], PlacementGroupStrategy.Pack, [Node("a", 8), Node("b", 4)], preferred: new NodeId("b"));
        Assert.Null(reason);
        // The 4-CPU bundle is placed first, on the preferred node, which it fills; the 1-CPU one then goes elsewhere.
        Assert.Equal(new NodeId("b"), nodes![1]);
        Assert.Equal(new NodeId("a"), nodes[0]);
    }

    [Fact]
    public void A_cluster_without_live_nodes_says_so()
    {
        var (nodes, reason) = BundlePlanner.Plan([Cpus(1)], PlacementGroupStrategy.Pack, []);
        Assert.Null(nodes);
        Assert.Equal("the cluster has no live node", reason);
    }
}
