using System.Collections.Concurrent;

namespace Grid.Core;

/// <summary>
/// Interruptions of the calls this process has in flight to each node, as cancellation tokens. A remote call to a node
/// is raced against that node's token (<see cref="CoreWorker.CallNodeAsync{T}"/>), so it does not outlive what this
/// process learns of the cluster (Orleans' membership, then this process's view):
/// <list type="bullet">
/// <item>When the node dies, its token is cancelled for good: its calls' work is lost. A node id names one silo
/// incarnation (address and generation), so a dead id never comes back.</item>
/// <item>In a client, any node's death also interrupts the calls to every other node: a client reaches a node through
/// whichever gateway Orleans chose for the grain, so a request or an answer in transit through the dead gateway is
/// gone, and Orleans breaks a client's calls to a gateway that died only when their response timeout passes. Such a
/// call is sent again to the same node, which answers with the task it already runs (<c>LocalTaskManager</c>).</item>
/// </list>
/// </summary>
internal sealed class NodeDeaths(bool interruptAllOnDeath)
{
    private readonly ConcurrentDictionary<NodeId, CancellationTokenSource> _nodes = new();
    private readonly ConcurrentDictionary<NodeId, byte> _dead = new();

    /// <summary>Cancelled when <paramref name="node"/> dies, or when a call to it may have lost its answer in transit.</summary>
    public CancellationToken Of(NodeId node) =>
        (_nodes.TryGetValue(node, out var source) ? source : _nodes.GetOrAdd(node, static _ => new CancellationTokenSource())).Token;

    public bool HasDied(NodeId node) => _dead.ContainsKey(node);

    /// <summary>Marks <paramref name="node"/> dead and interrupts its calls (and, in a client, everyone's); true the first time.</summary>
    public bool Died(NodeId node)
    {
        if (!_dead.TryAdd(node, 0)) return false;
        Interrupt(node);
        if (interruptAllOnDeath)
            foreach (var other in _nodes.Keys)
                if (!_dead.ContainsKey(other)) Interrupt(other);
        return true;
    }

    /// <summary>Cancels <paramref name="node"/>'s current token; a live node gets a fresh one for the calls sent again.</summary>
    private void Interrupt(NodeId node)
    {
        var old = _nodes.GetOrAdd(node, static _ => new CancellationTokenSource());
        if (!HasDied(node)) _nodes.TryUpdate(node, new CancellationTokenSource(), old);
        // Cancel runs the waiting calls' callbacks: off the caller's thread (a membership or timer callback).
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Cancel(), old, preferLocal: false);
    }
}
