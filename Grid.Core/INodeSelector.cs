namespace Grid.Core;

/// <summary>
/// Chooses the node whose raylet receives a task first. Inside a silo it is the local node (the
/// raylet spills from there); a client outside the cluster spreads its work over the live nodes,
/// since Orleans would send every call to one gateway.
/// </summary>
internal interface INodeSelector
{
    /// <summary>A node for the next task; <paramref name="exclude"/> holds nodes that just failed.</summary>
    NodeId Pick(IReadOnlyCollection<NodeId>? exclude = null);

    /// <summary>Forget what is known of the cluster and look again (after a node failure).</summary>
    Task RefreshAsync();
}
