using Grid.Wire;

namespace Grid.Silo.Raylet;

internal enum PlacementKind : byte { Local, Forward, Infeasible, Unschedulable }

/// <summary>Where a task or actor goes: here, another node, nowhere yet (infeasible), or nowhere ever.</summary>
internal readonly record struct Placement(PlacementKind Kind, NodeId Node, string? Reason)
{
    public static Placement Local { get; } = new(PlacementKind.Local, default, null);
    public static Placement To(NodeId node) => new(PlacementKind.Forward, node, null);
    public static Placement Infeasible(string reason) => new(PlacementKind.Infeasible, default, reason);
    public static Placement Unschedulable(string reason) => new(PlacementKind.Unschedulable, default, reason);
}

/// <summary>
/// The placement rules of a raylet (Ray's hybrid, spread, node-affinity and label policies), decided
/// in memory from the local ledger and the cluster view: nothing here calls another process.
/// </summary>
internal sealed class SchedulingPolicy(NodeScheduler raylet, ClusterView view, NodeRuntime node)
{
    /// <summary>After this many forwards a request settles where it is, so stale views cannot bounce it forever.</summary>
    private const int MaxHops = 4;
    private int _spreadNext;

    private NodeId Local => node.NodeId;

    /// <param name="need">What the work asks for (already rewritten into group resources for placement groups).</param>
    /// <param name="preferred">The node holding the work's largest argument, if any.</param>
    /// <param name="hops">How often the work was forwarded already; forwarded work settles where it can.</param>
    /// <param name="within">Placement groups: the nodes of the bundles the work may use.</param>
    public Placement Decide(ResourceSet need, SchedulingStrategy? strategy, NodeId? preferred, int hops, IReadOnlyCollection<NodeId>? within = null)
    {
        var nodes = AliveNodes();
        if (within is not null) nodes = nodes.Where(n => within.Contains(n.NodeId)).ToArray();
        return strategy switch
        {
            NodeAffinityScheduling a => Affinity(need, a, nodes, preferred, hops),
            SpreadScheduling => Spread(need, nodes, hops),
            NodeLabelScheduling l => Labels(need, l, nodes, preferred, hops),
            _ => Hybrid(need, nodes, preferred, hops),
        };
    }

    /// <summary>The cluster view's alive nodes, with this node's own entry taken from its ledger (never stale).</summary>
    private NodeInfo[] AliveNodes()
    {
        var nodes = view.Nodes;
        var self = raylet.Snapshot(node.Options.Labels, withReasons: false);
        var list = new List<NodeInfo>(nodes.Length + 1) { self };
        foreach (var n in nodes)
            if (n.NodeId != Local) list.Add(n);
        return [.. list];
    }

    /// <summary>Local while there is room; else a node with room (the argument holder first); else queue where it fits.</summary>
    private Placement Hybrid(ResourceSet need, NodeInfo[] candidates, NodeId? preferred, int hops)
    {
        var localOk = candidates.Any(n => n.NodeId == Local) && raylet.CanEverFit(need);
        if (localOk && (hops > 0 || raylet.HasRoomNow(need))) return Placement.Local;
        if (!localOk && hops >= MaxHops) return Placement.Infeasible($"it was forwarded {hops} times without finding a node; {InfeasibleWork.LargestNode(need, candidates)}");
        var others = candidates.Where(n => n.NodeId != Local && need.FitsIn(n.Total)).ToArray();
        if (preferred is { } p && p != Local && others.FirstOrDefault(n => n.NodeId == p) is { } holder && TryClaim(holder, need))
            return Placement.To(p);
        foreach (var n in others.OrderByDescending(n => n.Available[ResourceSet.Cpu]))
            if (TryClaim(n, need)) return Placement.To(n.NodeId);
        if (localOk) return Placement.Local;
        var feasible = others.OrderBy(n => n.QueuedTasks).FirstOrDefault();
        if (feasible is not null) return Placement.To(feasible.NodeId);
        return Placement.Infeasible(InfeasibleWork.LargestNode(need, candidates.Length > 0 ? candidates : AliveNodes()));
    }

    /// <summary>
    /// Resources this raylet has sent work to on another node since the view last published that node's record
    /// (Ray's raylet does the same with its copy of a remote node's resources). Without it, every task of a burst
    /// read the same stale "room" and was forwarded, one message each, though the node could take only a few;
    /// with it, a burst spills what the node has room for and queues the rest here. A new record (the node's next
    /// report, or the view's next read of the GCS) starts from nothing again.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<NodeInfo, Claims> _claims = new();

    private sealed class Claims
    {
        public ResourceSet Sent = ResourceSet.Empty;
    }

    private bool HasRoom(NodeInfo n, ResourceSet need) =>
        n.QueuedTasks == 0 && (_claims.TryGetValue(n, out var c) ? Volatile.Read(ref c.Sent).Add(need) : need).FitsIn(n.Available);

    /// <summary>Whether <paramref name="n"/> has room for <paramref name="need"/> beyond what was already sent there; if so, counts it as sent.</summary>
    private bool TryClaim(NodeInfo n, ResourceSet need)
    {
        if (n.QueuedTasks != 0) return false;
        var claims = _claims.GetValue(n, static _ => new Claims());
        lock (claims)
        {
            var after = claims.Sent.Add(need);
            if (!after.FitsIn(n.Available)) return false;
            Volatile.Write(ref claims.Sent, after);
            return true;
        }
    }

    /// <summary>
    /// What <see cref="Decide"/> answers for default scheduling when the answer is "queue here": this
    /// node can ever run the work and no other live node has room for it now. Checked without the
    /// snapshots and lists of a full decision, since under a backlog every task of a burst asks it.
    /// </summary>
    public bool QueuesHereByDefault(ResourceSet need)
    {
        if (!raylet.CanEverFit(need)) return false;
        foreach (var n in view.Nodes)
            if (n.NodeId != Local && need.FitsIn(n.Total) && HasRoom(n, need)) return false;
        return true;
    }

    private Placement Affinity(ResourceSet need, NodeAffinityScheduling a, NodeInfo[] nodes, NodeId? preferred, int hops)
    {
        var target = nodes.FirstOrDefault(n => n.NodeId == a.Node);
        if (target is null)
            return a.Soft ? Hybrid(need, nodes, preferred, hops)
                : Placement.Unschedulable($"node {a.Node} is dead or not part of the cluster, and the node affinity is hard. Pick a live node (GetNodesAsync), or pass soft: true to fall back to other nodes.");
        // A hard target decides for itself from its own ledger: the view of its totals may be a refresh
        // behind (a placement-group bundle reserved there a moment ago).
        if (!a.Soft && a.Node != Local) return Placement.To(a.Node);
        var fitsEver = a.Node == Local ? raylet.CanEverFit(need) : need.FitsIn(target.Total);
        if (!fitsEver)
            return a.Soft ? Hybrid(need, nodes, preferred, hops)
                : Placement.Unschedulable($"node {a.Node} has only {InfeasibleWork.WithoutNodeResources(target.Total)} in total, less than the {need} asked for, and the node affinity is hard. Ask for less, or pass soft: true.");
        if (a.Soft && !(a.Node == Local ? raylet.HasRoomNow(need) : HasRoom(target, need)))
            return Hybrid(need, nodes, preferred, hops);
        return a.Node == Local ? Placement.Local : Placement.To(a.Node);
    }

    /// <summary>
    /// Round robin over the nodes that can run the work, starting from this node, preferring the next
    /// one with room. Each raylet starts with itself, so a client that spreads its submissions over the
    /// raylets and a task that spreads from one raylet both cover every node.
    /// </summary>
    private Placement Spread(ResourceSet need, NodeInfo[] nodes, int hops)
    {
        // Forwarded work settles here when it can run now, or after enough hops. Otherwise it spreads
        // on: the sender chose from a view up to one refresh old, and several raylets spreading at once
        // can pick the same node, which would leave work queued there while other nodes sit idle.
        if (hops > 0 && raylet.CanEverFit(need) && (hops >= MaxHops || raylet.HasRoomNow(need))) return Placement.Local;
        var feasible = nodes.Where(n => n.NodeId == Local ? raylet.CanEverFit(need) : need.FitsIn(n.Total))
            .OrderBy(n => n.NodeId.Value, StringComparer.Ordinal).ToArray();
        if (feasible.Length == 0) return Placement.Infeasible(InfeasibleWork.LargestNode(need, nodes));
        var start = Math.Max(0, Array.FindIndex(feasible, n => n.NodeId == Local)) + Interlocked.Increment(ref _spreadNext) - 1;
        NodeInfo? chosen = null;
        for (var i = 0; i < feasible.Length && chosen is null; i++)
        {
            var candidate = feasible[(start + i) % feasible.Length];
            if (candidate.NodeId == Local ? raylet.HasRoomNow(need) : HasRoom(candidate, need)) chosen = candidate;
        }
        // No node has room: forwarded work queues where it is, new work on the next node in turn.
        if (chosen is null && hops > 0 && raylet.CanEverFit(need)) return Placement.Local;
        chosen ??= feasible[start % feasible.Length];
        return chosen.NodeId == Local ? Placement.Local : Placement.To(chosen.NodeId);
    }

    private Placement Labels(ResourceSet need, NodeLabelScheduling l, NodeInfo[] nodes, NodeId? preferred, int hops)
    {
        var matching = nodes.Where(n => Matches(n, l.Hard)).ToArray();
        if (matching.Length == 0) return Placement.Infeasible($"no live node has the labels {l}");
        if (l.Soft is { Count: > 0 } soft && matching.Where(n => Matches(n, soft)).ToArray() is { Length: > 0 } preferredNodes
            && Hybrid(need, preferredNodes, preferred, hops) is { Kind: not PlacementKind.Infeasible } inPreferred)
            return inPreferred;
        return Hybrid(need, matching, preferred, hops);
    }

    private static bool Matches(NodeInfo n, IReadOnlyDictionary<string, string> labels) =>
        labels.All(kv => n.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
