using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Silo.Raylet;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Placement;

/// <summary>
/// After a node's death: every node forgets where the groups with a bundle there were, and the first live node wakes
/// every group recorded in the GCS, so that a group whose grain died with that node is activated again on a live silo
/// (it reads its record back) and reschedules its lost bundles without waiting for a caller.
/// </summary>
internal sealed partial class PlacementGroupWatch(ClusterView view, PlacementGroupDirectory directory, IGcs gcs, NodeRuntime node,
    IGrainFactory grains, ILogger<PlacementGroupWatch> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PlacementGroupWatch), ServiceLifecycleStage.Active, _ =>
        {
            view.NodeLeft += OnNodeLeft;
            return Task.CompletedTask;
        }, _ =>
        {
            view.NodeLeft -= OnNodeLeft;
            return Task.CompletedTask;
        });

    private void OnNodeLeft(NodeId gone)
    {
        directory.ForgetOn(gone);
        if (view.IsFirstLive(node.NodeId)) _ = WakeGroupsAsync(gone);
    }

    private async Task WakeGroupsAsync(NodeId gone)
    {
        try
        {
            var groups = await gcs.GetPlacementGroupsAsync().ConfigureAwait(false);
            await Task.WhenAll(groups.Where(g => g.State != PlacementGroupState.Removed)
                .Select(g => grains.GetGrain<IPlacementGroupGrain>(g.Id.Value).GetInfo())).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not lost: a group is also woken by its next caller, and then reschedules.
            WakeFailed(logger, e, gone);
        }
    }

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "Could not wake the placement groups after node {Node} died; each reschedules at its next call")]
    private static partial void WakeFailed(ILogger logger, Exception error, NodeId node);
}
