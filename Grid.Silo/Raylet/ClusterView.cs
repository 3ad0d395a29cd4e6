using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// This node's picture of the cluster's resources (Ray's cluster resource view): it publishes the
/// local raylet's availability to the GCS when it changes (at most every <see cref="GridNodeOptions.ResourceReportInterval"/>)
/// and reads everyone else's at the same rate, keeping only nodes Orleans' membership says are alive.
/// </summary>
public sealed class ClusterView(IGcs gcs, Raylet raylet, NodeRuntime node, IClusterMembershipService membership, ILogger<ClusterView> logger) : IDisposable
{
    private PeriodicTimer? _timer;
    private volatile bool _dirty = true;
    private volatile NodeInfo[] _nodes = [];

    public NodeInfo[] Nodes => _nodes;

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
                else _nodes = Filter(await gcs.GetNodesAsync().ConfigureAwait(false));
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Refreshing the cluster resource view failed; retrying next tick");
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
        _nodes = Filter(all);
    }

    private NodeInfo[] Filter(NodeInfo[] all) => all.Where(n => n.State == NodeState.Alive && IsMember(n.NodeId)).ToArray();

    private bool IsMember(NodeId id)
    {
        var snapshot = membership.CurrentSnapshot;
        var silo = SiloAddress.FromParsableString(id.Value);
        // A node that registered before membership saw it yet counts as alive; a known dead one does not.
        return !snapshot.Members.TryGetValue(silo, out var m) || m.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created;
    }

    /// <summary>Another alive node that has <paramref name="need"/> free now, the one with most CPU free first.</summary>
    public NodeId? FindNodeWithRoom(ResourceSet need, NodeId exclude) =>
        _nodes.Where(n => n.NodeId != exclude && n.QueuedTasks == 0 && need.FitsIn(n.Available))
            .OrderByDescending(n => n.Available[ResourceSet.Cpu]).Select(n => (NodeId?)n.NodeId).FirstOrDefault();

    /// <summary>An alive node whose declared resources could ever run <paramref name="need"/>.</summary>
    public NodeId? FindFeasibleNode(ResourceSet need, NodeId exclude) =>
        _nodes.Where(n => n.NodeId != exclude && need.FitsIn(n.Total)).Select(n => (NodeId?)n.NodeId).FirstOrDefault();

    public void Dispose() => _timer?.Dispose();
}
