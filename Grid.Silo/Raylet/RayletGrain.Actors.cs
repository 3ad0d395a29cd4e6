using Grid.Wire;

namespace Grid.Silo.Raylet;

/// <summary>Actor placement and placement-group bundles: low-rate work, off the task hot path.</summary>
internal sealed partial class RayletGrain
{
    // Placed by a node service, as tasks are (see ActorPlacer): the placement loop resumes on the thread pool.
    public Task<NodeId> PlaceActor(ActorCreationSpec spec, int hops) => actors.PlaceAsync(spec, hops);

    public Task<bool> KillPendingActor(ActorId actor, string cause) => actors.KillPendingAsync(actor, cause);

    public Task<bool> ReserveBundle(PlacementGroupId group, int index, ResourceSet bundle) =>
        Task.FromResult(bundles.TryReserve(group, index, bundle));

    public Task ReturnBundles(PlacementGroupId group) => bundles.ReturnAsync(group);
}
