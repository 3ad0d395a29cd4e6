using Grid.Wire;

namespace Grid.Silo.Placement;

/// <summary>
/// Lays a placement group's bundles over nodes by its strategy, from what each node has free in the
/// cluster view. Greedy (largest bundle first), as Ray's bundle scheduling is; the reservation that
/// follows may still fail on a stale view, and the group then tries again. Where the strategy leaves a
/// choice, the preferred node (the group grain's own) goes first: a bundle there is reserved and
/// returned without a message to another node.
/// </summary>
internal static class BundlePlanner
{
    /// <summary>The node of each bundle, or null with the reason it cannot be placed now.</summary>
    public static (NodeId[]? Nodes, string? Reason) Plan(IReadOnlyList<ResourceSet> bundles, PlacementGroupStrategy strategy, IReadOnlyList<NodeInfo> nodes,
        NodeId? preferred = null)
    {
        if (nodes.Count == 0) return (null, "the cluster has no live node");
        // The preferred node first, then the others in a stable order: every "first fitting node" below prefers it.
        var free = nodes.OrderBy(n => n.NodeId == preferred ? 0 : 1).ThenBy(n => n.NodeId.Value, StringComparer.Ordinal).ToDictionary(n => n.NodeId, n => n.Available);
        var order = Enumerable.Range(0, bundles.Count).OrderByDescending(i => Size(bundles[i])).ToArray();
        switch (strategy)
        {
            case PlacementGroupStrategy.StrictPack:
            {
                var sum = bundles.Aggregate(ResourceSet.Empty, (a, b) => a.Add(b));
                var host = free.FirstOrDefault(kv => sum.FitsIn(kv.Value)).Key;
                if (host == default)
                    return (null, nodes.Any(n => sum.FitsIn(n.Total))
                        ? $"waiting for resources: STRICT_PACK needs {sum} free on one node"
                        : $"infeasible: STRICT_PACK needs {sum} on one node, and no node has that much in total");
                return ([.. Enumerable.Repeat(host, bundles.Count)], null);
            }
            case PlacementGroupStrategy.StrictSpread when nodes.Count < bundles.Count:
                return (null, $"STRICT_SPREAD needs {bundles.Count} nodes, one per bundle, and the cluster has {nodes.Count}");
        }
        var placed = new NodeId[bundles.Count];
        var used = new HashSet<NodeId>();
        foreach (var i in order)
        {
            var fitting = free.Where(kv => bundles[i].FitsIn(kv.Value)).Select(kv => kv.Key).ToList();
            NodeId? pick = strategy switch
            {
                PlacementGroupStrategy.StrictSpread => fitting.Where(n => !used.Contains(n)).Cast<NodeId?>().FirstOrDefault(),
                PlacementGroupStrategy.Spread => fitting.Where(n => !used.Contains(n)).Cast<NodeId?>().FirstOrDefault() ?? fitting.Cast<NodeId?>().FirstOrDefault(),
                // Pack: fill nodes already used first, then the preferred node, then the node with most room left.
                _ => fitting.Where(used.Contains).Cast<NodeId?>().FirstOrDefault()
                     ?? (fitting.Count > 0 && (fitting.Count == 1 || fitting[0] == preferred) ? fitting[0] : fitting.OrderByDescending(n => Size(free[n])).Cast<NodeId?>().FirstOrDefault()),
            };
            if (pick is not { } chosen)
            {
                var everywhere = nodes.Any(n => bundles[i].FitsIn(n.Total));
                return (null, everywhere
                    ? $"waiting for resources: bundle {i} {bundles[i]} fits no node's free resources ({strategy})"
                    : $"infeasible: bundle {i} {bundles[i]} is larger than any node");
            }
            placed[i] = chosen;
            used.Add(chosen);
            free[chosen] = free[chosen].Subtract(bundles[i]);
        }
        return (placed, null);
    }

    // Plain resources only: the names other groups' bundles added to a node say nothing of its room for this one.
    private static double Size(ResourceSet r) => r.Names.Where(n => !BundleResources.IsGroupResource(n))
        .Sum(n => n == ResourceSet.Memory ? r[n] / (1024d * 1024 * 1024) : r[n]);
}
