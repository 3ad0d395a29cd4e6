using Grid.Core;
using Grid.Grains;
using Grid.Silo.Tasks;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// The raylet as the cluster reaches it: one per silo, pinned there. A task that this node can run
/// waits for its dependencies, then for resources, then goes to a local executor; a task that would
/// queue here while another node has room spills there once.
/// </summary>
[NodePinnedPlacement, Reentrant]
internal sealed class RayletGrain(Raylet raylet, ClusterView view, NodeRuntime node, TaskExecutor executor, ILogger<RayletGrain> logger) : Grain, IRayletGrain
{
    public async Task<ObjectPayload> SubmitTask(TaskSpec spec)
    {
        var need = spec.Resources;
        node.Worker.AddBorrowed(spec.Borrowed);
        if (!raylet.CanEverFit(need))
        {
            if (view.FindFeasibleNode(need, node.NodeId) is { } feasible) return await ForwardAsync(feasible, spec);
            return Fail(spec, new UnschedulableException(
                $"Task {spec.DisplayName} needs {need}, but no node in the cluster has that much (this node: {raylet.Total}). Lower the request or add a node that has it."));
        }
        if (spec.SpillCount == 0 && !raylet.HasRoomNow(need) && view.FindNodeWithRoom(need, node.NodeId) is { } other)
        {
            try { return await ForwardAsync(other, spec); }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                logger.LogInformation("Spilling {Task} to {Node} failed ({Error}); running it here", spec.DisplayName, other, e.Message);
            }
        }
        return await RunHereAsync(spec);
    }

    private Task<ObjectPayload> ForwardAsync(NodeId target, TaskSpec spec) =>
        GrainFactory.GetGrain<IRayletGrain>(target.Value).SubmitTask(spec.With(spillCount: spec.SpillCount + 1));

    private async Task<ObjectPayload> RunHereAsync(TaskSpec spec)
    {
        // Dependencies first: a task waiting for its arguments holds no CPU.
        var (args, failure) = await ArgumentResolver.PrepareAsync(node.Worker, spec.Args, CancellationToken.None);
        if (failure is not null) return failure;
        var ready = ReferenceEquals(args, spec.Args) ? spec : spec.With(args: args);
        using var lease = await raylet.AcquireAsync(spec.Resources, $"task {spec.DisplayName}");
        raylet.TrackTask(spec.TaskId, lease);
        try
        {
            return await executor.ExecuteAsync(ready);
        }
        finally
        {
            raylet.UntrackTask(spec.TaskId);
        }
    }

    private ObjectPayload Fail(TaskSpec spec, Exception e) =>
        ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(e, $"scheduling task {spec.DisplayName}"));

    public Task ReserveForActor(ActorId actor, ResourceSet resources) => raylet.ReserveForActorAsync(actor, resources);

    public Task ReleaseActor(ActorId actor)
    {
        raylet.ReleaseActor(actor);
        return Task.CompletedTask;
    }

    public Task<NodeInfo> GetNodeInfo() => Task.FromResult(raylet.Snapshot(node.Options.Labels));
}
