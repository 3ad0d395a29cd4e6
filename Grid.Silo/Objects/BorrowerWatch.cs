using Grid.Silo.Raylet;

namespace Grid.Silo.Objects;

/// <summary>
/// When a node leaves the cluster, this node's core worker learns it (<see cref="Grid.Core.CoreWorker.OnNodeDied"/>):
/// the work it forwarded there is resubmitted by its owners, and the objects this node owns stop counting that node's
/// borrowings (its tasks and actors are gone with it), so what only it held is freed instead of living until this node ends.
/// </summary>
internal sealed class BorrowerWatch(ClusterView view, NodeRuntime node) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BorrowerWatch), ServiceLifecycleStage.Active, _ =>
        {
            view.NodeLeft += OnNodeLeft;
            return Task.CompletedTask;
        }, _ =>
        {
            view.NodeLeft -= OnNodeLeft;
            return Task.CompletedTask;
        });

    private void OnNodeLeft(NodeId gone) => node.Worker.OnNodeDied(gone);
}
