using Grid.Core;
using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Silo.Placement;
using Grid.Silo.Tasks;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// The raylet as the cluster reaches it: one per silo, pinned there. Each task or actor is placed by
/// its scheduling strategy (<see cref="SchedulingPolicy"/>, decided in memory): it runs here —
/// waiting for its dependencies, then for resources, then going to a local executor — or is
/// forwarded to the node chosen, or waits as infeasible until a node that can run it joins.
/// </summary>
[NodePinnedPlacement, Reentrant]
internal sealed partial class RayletGrain(NodeScheduler raylet, ClusterView view, NodeRuntime node, SchedulingPolicy policy,
    IGcs gcs, LocalTaskManager tasks, BundleReservations bundles, ILogger<RayletGrain> logger) : Grain, IRayletGrain
{
    // Task placement runs in LocalTaskManager, off the grain's scheduler: it uses only thread-safe node
    // services, and every await that came back to the grain queued one more turn per task.
    public Task<ObjectPayload> SubmitTask(TaskSpec spec) => tasks.SubmitRemoteAsync(spec);

    private Task<(ResourceSet Need, SchedulingStrategy? Strategy, IReadOnlyCollection<NodeId>? Within)> ResolveGroupAsync(ResourceSet need, SchedulingStrategy? strategy) =>
        tasks.ResolveGroupAsync(need, strategy);

    public Task ReserveForActor(ActorId actor, ResourceSet resources) => raylet.ReserveForActorAsync(actor, resources);

    public Task ReleaseActor(ActorId actor)
    {
        raylet.ReleaseActor(actor);
        return Task.CompletedTask;
    }

    public Task<NodeInfo> GetNodeInfo() => Task.FromResult(raylet.Snapshot(node.Options.Labels));
}
