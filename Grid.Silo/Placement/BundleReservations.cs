using Grid.Silo.Diagnostics;
using Grid.Grains;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Placement;

/// <summary>
/// This node's side of placement groups: reserving a bundle here, and returning a group's bundles
/// (which kills the actors placed in them). The raylet grain answers other nodes' group grains with
/// it; a group grain on this very node calls it directly, since a message to its own silo's raylet
/// would only add a hop to each reservation and removal.
/// </summary>
internal sealed class BundleReservations(Raylet.NodeScheduler raylet, PlacementGroupDirectory groups, NodeRuntime node,
    IGrainFactory grains, ILogger<BundleReservations> logger)
{
    public NodeId NodeId => node.NodeId;

    public bool TryReserve(PlacementGroupId group, int index, ResourceSet bundle) => raylet.TryReserveBundle(group, index, bundle);

    public async Task ReturnAsync(PlacementGroupId group)
    {
        groups.Forget(group);
        foreach (var actor in raylet.ReturnBundles(group))
        {
            try
            {
                await grains.GetGrain<IActorHostGrain>(actor.Value).Kill($"its placement group {group} was removed").ConfigureAwait(false);
            }
            catch (Exception e)
            {
                NodeLog.GroupActorKillFailed(logger, e, actor, group);
            }
        }
    }
}
