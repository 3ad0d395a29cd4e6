using Grid.Silo.Diagnostics;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// Places the actors that reach this node's raylet (the body of <see cref="RayletGrain.PlaceActor"/>): through the
/// raylet's <see cref="PlacementLoop"/>, as tasks are, an actor's resources are reserved here, or it is forwarded to
/// the node chosen, or it waits as infeasible until a node that can hold it joins. Its pending reason is kept in its
/// GCS record meanwhile, for status. Low-rate work; a node service like <see cref="LocalTaskManager"/>, since the loop
/// resumes on the thread pool and nothing here is grain state.
/// </summary>
internal sealed class ActorPlacer(NodeScheduler raylet, NodeRuntime node, PlacementLoop placement, Actors.ActorRecords records, IGrainFactory grains,
    ILogger<ActorPlacer> logger) : IPlaceable<ActorCreationSpec, NodeId>
{
    /// <summary>Reserves the actor's resources on a node and returns that node.</summary>
    /// <param name="hops">How often the request was forwarded already; 0 at the raylet its creator asked.</param>
    public async Task<NodeId> PlaceAsync(ActorCreationSpec spec, int hops)
    {
        try
        {
            return await placement.PlaceAsync(this, spec, spec.Resources, spec.Scheduling, preferred: null, hops).ConfigureAwait(false);
        }
        catch (GridException e) when (hops == 0)
        {
            // The first raylet records why the actor will never start, for status and for its callers, over whatever
            // the record says (its verdict is the last word on this placement).
            await records.RecordDeadAsync(spec.ActorId, e.Message, static _ => true).ConfigureAwait(false);
            throw;
        }
    }

    // How the placement loop places an actor (see IPlaceable): nothing runs here yet, its resources are reserved, and
    // its errors are thrown to its creator.

    string IPlaceable<ActorCreationSpec, NodeId>.Describe(ActorCreationSpec spec) => What(spec);

    async Task<NodeId> IPlaceable<ActorCreationSpec, NodeId>.RunHereAsync(ActorCreationSpec spec, ResourceSet need)
    {
        if (!raylet.HasRoomNow(need)) await SetPendingAsync(spec.ActorId, raylet.WaitingReason(need)).ConfigureAwait(false);
        await raylet.ReserveForActorAsync(spec.ActorId, need).ConfigureAwait(false);
        return node.NodeId;
    }

    Task<NodeId> IPlaceable<ActorCreationSpec, NodeId>.ForwardAsync(ActorCreationSpec spec, ResourceSet need, NodeId to, int hops) =>
        grains.GetGrain<IRayletGrain>(to.Value).PlaceActor(spec, hops);

    ValueTask IPlaceable<ActorCreationSpec, NodeId>.WaitsInfeasibleAsync(ActorCreationSpec spec, ResourceSet need, string reason) =>
        new(SetPendingAsync(spec.ActorId, $"infeasible: it needs {need}; {reason}"));

    async ValueTask<GridException?> IPlaceable<ActorCreationSpec, NodeId>.WithdrawnAsync(ActorCreationSpec spec) =>
        await records.GetAsync(spec.ActorId).ConfigureAwait(false) is { State: ActorState.Dead } dead
            ? new ActorDiedException($"Actor {spec.ActorId} died before it was placed: {dead.DeathCause ?? "it was killed"}.")
            : null;

    /// <summary>
    /// Kills an actor that is still pending (placement not finished): its record says Dead, fenced on Pending so an
    /// actor placed meanwhile is left to the ordinary kill. A placement waiting as infeasible then ends with
    /// <see cref="ActorDiedException"/>; one that reserves resources first finds the record dead when its host starts.
    /// </summary>
    /// <returns>Whether the actor was pending and is now recorded dead.</returns>
    public async Task<bool> KillPendingAsync(ActorId actor, string cause) =>
        await records.RecordDeadAsync(actor, cause, static stored => stored.State == ActorState.Pending).ConfigureAwait(false) is not null;

    GridException IPlaceable<ActorCreationSpec, NodeId>.Unschedulable(ActorCreationSpec spec, string reason) =>
        new UnschedulableException($"Actor {spec.ActorId} cannot be scheduled: {reason}");

    GridException IPlaceable<ActorCreationSpec, NodeId>.PinnedNodeFailed(ActorCreationSpec spec, NodeId to, Exception error) =>
        new UnschedulableException($"Actor {spec.ActorId} must live on node {to}, which died or cannot be reached. Use a soft affinity to let it live elsewhere.");

    bool IPlaceable<ActorCreationSpec, NodeId>.EndsAfterNodeFailure(ActorCreationSpec spec, NodeId to, Exception error, out NodeId answer)
    {
        // Placement builds nothing yet (it only reserves resources): the actor is placed again, whether or not the
        // forward reached that node.
        NodeLog.ActorPlacementRetrying(logger, What(spec), to, error.Message);
        answer = default;
        return false;
    }

    /// <summary>Records why a pending actor waits, so that status shows it ("waiting for resources: GPU").</summary>
    private Task SetPendingAsync(ActorId actor, string reason) =>
        records.UpdateAsync(actor, info => info is { State: ActorState.Pending } && info.PendingReason != reason ? info with { PendingReason = reason } : null);

    private static string What(ActorCreationSpec spec) => $"actor {spec.ActorId} ({ShortName(spec.ClassName)})";

    private static string ShortName(string assemblyQualified) => assemblyQualified.Split(',')[0].Split('.')[^1];
}
