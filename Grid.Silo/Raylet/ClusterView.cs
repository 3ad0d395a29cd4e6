using Grid.Silo.Diagnostics;
using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// This node's picture of the cluster's resources (Ray's cluster resource view): it publishes the
/// local raylet's availability to the GCS when it changes (at most every <see cref="GridNodeOptions.ResourceReportInterval"/>)
/// and reads everyone else's at the same rate, keeping only nodes Orleans' membership says are alive.
/// </summary>
internal sealed class ClusterView(IGcs gcs, NodeScheduler raylet, NodeRuntime node, IClusterMembershipService membership, ILogger<ClusterView> logger) : IDisposable
{
    private PeriodicTimer? _timer;
    private volatile bool _dirty = true;
    private volatile NodeInfo[] _nodes = [];
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeInfo[] Nodes => _nodes;

    /// <summary>Completes at the next refresh of the view, so waiting work (infeasible, placement groups) looks again.</summary>
    public Task NextRefreshAsync() => Volatile.Read(ref _refreshed).Task;

    /// <summary>Raised with each node that left the view (died or stopped), after the view changed.</summary>
    public event Action<NodeId>? NodeLeft;

    private void SetNodes(NodeInfo[] nodes)
    {
        var before = _nodes;
        _nodes = nodes;
        Interlocked.Exchange(ref _refreshed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (NodeLeft is { } left)
            foreach (var gone in before.Where(b => !nodes.Any(n => n.NodeId == b.NodeId)))
                left(gone.NodeId);
    }

    public async Task StartAsync()
    {
        raylet.Changed += () => _dirty = true;
        await TickAsync().ConfigureAwait(false);
        _timer = new PeriodicTimer(node.Options.ResourceReportInterval);
        _ = LoopAsync(_timer);
    }

    private async Task LoopAsync(PeriodicTimer timer)
    {
        var beats = 0;
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            try
            {
                // Publish on change, and every ~20 ticks regardless as a heartbeat.
                if (_dirty || ++beats % 20 == 0) await TickAsync().ConfigureAwait(false);
                else SetNodes(Filter(await gcs.GetNodesAsync().ConfigureAwait(false)));
            }
            catch (Exception e)
            {
                NodeLog.ClusterViewRefreshFailed(logger, e);
            }
        }
    }

    private async Task TickAsync()
    {
        _dirty = false;
        var self = raylet.Snapshot(node.Options.Labels) with { GatewayAddress = node.GatewayAddress, HostName = node.HostName };
        await gcs.UpsertNodeAsync(self).ConfigureAwait(false);
        var all = await gcs.GetNodesAsync().ConfigureAwait(false);
        foreach (var dead in all.Where(n => n.State == NodeState.Alive && !IsMember(n.NodeId)))
            await gcs.MarkNodeDeadAsync(dead.NodeId).ConfigureAwait(false);
        SetNodes(Filter(all));
    }

    /// <summary>
    /// True when <paramref name="strategy"/> is hard affinity to a node missing from the view that the GCS
    /// knows alive now: it joined since the last tick, so the work must be placed again, not failed.
    /// </summary>
    public async Task<bool> LearnedTargetAsync(SchedulingStrategy? strategy)
    {
        if (strategy is not NodeAffinityScheduling { Soft: false } pinned || Knows(pinned.Node)) return false;
        SetNodes(Filter(await gcs.GetNodesAsync().ConfigureAwait(false)));
        return Knows(pinned.Node);
    }

    /// <summary>
    /// Whether <paramref name="node"/> is the first live node by id in this view: the one node that runs the cluster-wide
    /// watches (client leases, placement groups after a death). Views may briefly disagree; those watches are idempotent.
    /// </summary>
    public bool IsFirstLive(NodeId node) =>
        _nodes.Select(n => n.NodeId.Value).DefaultIfEmpty(node.Value).Min(StringComparer.Ordinal) == node.Value;

    private bool Knows(NodeId id) => _nodes.Any(n => n.NodeId == id);

    /// <summary>
    /// True when Orleans' membership already declared <paramref name="id"/> dead (or stopping): the view, refreshed on a
    /// timer, may still list it for a tick. The view then drops it at once, and this node's worker learns of the death.
    /// </summary>
    public bool IsGone(NodeId id)
    {
        if (IsMember(id)) return false;
        SetNodes(Filter(_nodes));
        return true;
    }

    private NodeInfo[] Filter(NodeInfo[] all) => all.Where(n => n.State == NodeState.Alive && IsMember(n.NodeId)).ToArray();

    private bool IsMember(NodeId id)
    {
        var snapshot = membership.CurrentSnapshot;
        var silo = SiloAddress.FromParsableString(id.Value);
        // A node that registered before membership saw it yet counts as alive; a known dead one does not.
        return !snapshot.Members.TryGetValue(silo, out var m) || m.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created;
    }

    public void Dispose() => _timer?.Dispose();
}
