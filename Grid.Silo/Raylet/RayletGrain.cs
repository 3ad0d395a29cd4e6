using Grid.Grains;
using Grid.Silo.Placement;
using Grid.Wire;

namespace Grid.Silo.Raylet;

/// <summary>
/// The raylet as the cluster reaches it: one per silo, pinned there. Each task or actor is placed by
/// its scheduling strategy (<see cref="SchedulingPolicy"/>, decided in memory, acted on by the
/// <see cref="PlacementLoop"/>): it runs here — waiting for its dependencies, then for resources,
/// then going to a local executor — or is forwarded to the node chosen, or waits as infeasible
/// until a node that can run it joins.
/// </summary>
[NodePinnedPlacement, Reentrant]
internal sealed partial class RayletGrain(NodeScheduler raylet, NodeRuntime node, LocalTaskManager tasks, ActorPlacer actors,
    BundleReservations bundles, Tasks.TaskCancellations cancellations) : Grain, IRayletGrain
{
    // Task placement runs in LocalTaskManager, off the grain's scheduler: it uses only thread-safe node
    // services, and every await that came back to the grain queued one more turn per task.
    public Task<ObjectPayload> SubmitTask(TaskSpec spec) => tasks.SubmitRemoteAsync(spec);

    public Task ReserveForActor(ActorId actor, ResourceSet resources) => raylet.ReserveForActorAsync(actor, resources);

    public Task ReleaseActor(ActorId actor)
    {
        raylet.ReleaseActor(actor);
        return Task.CompletedTask;
    }

    public Task<CancelOutcome> CancelTask(ObjectId task, bool force, bool recursive) =>
        Task.FromResult(cancellations.Cancel(task, force, recursive, running: raylet.LeaseOf(task) is not null));

    public Task<NodeInfo> GetNodeInfo() => Task.FromResult(raylet.Snapshot(node.Options.Labels));
}
