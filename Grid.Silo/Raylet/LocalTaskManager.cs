using Grid.Core;
using Grid.Grains;
using Grid.Silo.Tasks;
using Grid.Wire;

namespace Grid.Silo.Raylet;

/// <summary>
/// Places and runs the tasks that reach this node's raylet (the body of <see cref="RayletGrain.SubmitTask"/>):
/// by its scheduling strategy a task runs here — waiting for its dependencies, then for resources, then going
/// to the executor — or is forwarded to the node chosen, or waits as infeasible until a node that can run it
/// joins. The common case (default scheduling, room here) runs here at once; any other goes through the
/// raylet's <see cref="PlacementLoop"/>, which places actors too. It is a node service,
/// not grain code: everything it touches is thread-safe, so its continuations run on the thread pool
/// instead of queueing a grain turn each, and a burst of tasks does not hold the raylet's scheduler.
/// </summary>
internal sealed class LocalTaskManager(NodeScheduler raylet, NodeRuntime node, SchedulingPolicy policy, PlacementLoop placement,
    TaskExecutor executor, Jobs.JobEnds jobs, TaskCancellations cancellations, State.TaskRecords records) : ILocalRaylet, IPlaceable<TaskSpec, ObjectPayload>
{
    private readonly Lock _admission = new();

    private Task _admitted = Task.CompletedTask;

    /// <summary>
    /// Starts a batch of tasks on the thread pool, after the batches before it: tasks enter the
    /// node's queue in the order their batches arrived, and in their order within a batch.
    /// </summary>
    public Task<Task<ObjectPayload>[]> StartInOrder(TaskSpec[] specs)
    {
        lock (_admission)
        {
            var started = _admitted.ContinueWith(static (_, state) =>
            {
                var (self, batch) = ((LocalTaskManager, TaskSpec[]))state!;
                var running = new Task<ObjectPayload>[batch.Length];
                for (var i = 0; i < batch.Length; i++) running[i] = self.SubmitRemoteAsync(batch[i]);
                return running;
            }, (this, specs), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
            _admitted = started;
            return started;
        }
    }

    // Tasks that arrived in a message and have not finished, by task id, attempt and hop (see SubmitRemoteAsync).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ObjectId, int, int), Task<ObjectPayload>> _remote = new();

    /// <summary>
    /// A task that arrived in a message (a client's or another raylet's). A client whose call was cut in transit by a
    /// gateway's death sends the same task again (<c>NormalTaskSubmitter.ResendAsync</c>): it gets the answer of the one this
    /// node already runs (the same attempt of the same task), not a second run. The hop is part of the key: a task that
    /// this node forwarded can come back to it (a SPREAD or spilled task that the next node passed on again), and must
    /// then be placed, not answered with the forward that waits for it, which would wait for itself.
    /// </summary>
    public Task<ObjectPayload> SubmitRemoteAsync(TaskSpec spec)
    {
        var key = (spec.TaskId, spec.Attempt, spec.SpillCount);
        if (_remote.TryGetValue(key, out var running)) return running;
        var task = SubmitAsync(spec);
        if (task.IsCompleted || !_remote.TryAdd(key, task)) return task;
        task.ContinueWith(static (t, state) =>
        {
            var (remote, key) = ((System.Collections.Concurrent.ConcurrentDictionary<(ObjectId, int, int), Task<ObjectPayload>>, (ObjectId, int, int)))state!;
            var entry = new KeyValuePair<(ObjectId, int, int), Task<ObjectPayload>>(key, t);
            // An answer that the task was lost with a node (rare: deaths) stays a while: the death that lost the task
            // may also have cut this answer on its way to the client, which then sends the task again and must hear
            // the same loss (counted against its retries), not get a second run.
            if (t.IsCompletedSuccessfully && t.Result.Error?.LostWith is not null)
                _ = Task.Delay(LostAnswerKept).ContinueWith(_ => remote.TryRemove(entry), TaskScheduler.Default);
            else remote.TryRemove(entry);
        }, (_remote, key), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private static readonly TimeSpan LostAnswerKept = TimeSpan.FromMinutes(2);

    public Task<ObjectPayload> SubmitAsync(TaskSpec spec)
    {
        node.Worker.AddBorrowed(spec.Borrowed);
        // The default policy's common case is the hot path: room here (or spilled here already) runs here.
        if (spec.Scheduling is null or DefaultScheduling
            && (raylet.HasRoomNow(spec.Resources) || spec.SpillCount > 0 && raylet.CanEverFit(spec.Resources)
                || policy.QueuesHereByDefault(spec.Resources)))
            return RunHereAsync(spec, null);
        return PlaceAsync(spec);
    }

    private async Task<ObjectPayload> PlaceAsync(TaskSpec spec)
    {
        try
        {
            return await placement.PlaceAsync(this, spec, spec.Resources, spec.Scheduling, DependencyResolver.LargestStoredArgumentNode(spec.Args), spec.SpillCount).ConfigureAwait(false);
        }
        catch (GridException e)
        {
            return Fail(spec, e);
        }
    }

    // How the placement loop places a task (see IPlaceable): its failures become its result, not exceptions.

    string IPlaceable<TaskSpec, ObjectPayload>.Describe(TaskSpec spec) => $"task {spec.DisplayName}";

    // Nothing after this needs the grain's scheduler: do not queue a turn just to return.
    Task<ObjectPayload> IPlaceable<TaskSpec, ObjectPayload>.RunHereAsync(TaskSpec spec, ResourceSet need) =>
        RunHereAsync(ReferenceEquals(need, spec.Resources) ? spec : spec.With(resources: need), spec.Scheduling as PlacementGroupScheduling);

    Task<ObjectPayload> IPlaceable<TaskSpec, ObjectPayload>.ForwardAsync(TaskSpec spec, ResourceSet need, NodeId to, int hops)
    {
        // The node worker's one grain reference per raylet: GetGrain with a string key resolves the interface's grain
        // type each time, which cost a tenth of the CPU of a burst that spills half its tasks.
        var forwarded = node.Worker.RayletOf(to).SubmitTask(spec.With(spillCount: hops, resources: need));
        return node.Worker.CallNodeAsync(to, forwarded);
    }

    ValueTask IPlaceable<TaskSpec, ObjectPayload>.WaitsInfeasibleAsync(TaskSpec spec, ResourceSet need, string reason) => ValueTask.CompletedTask;

    // A task is withdrawn by its cancellation, which the node's cancellations handle.
    ValueTask<GridException?> IPlaceable<TaskSpec, ObjectPayload>.WithdrawnAsync(TaskSpec spec) => ValueTask.FromResult<GridException?>(null);

    GridException IPlaceable<TaskSpec, ObjectPayload>.Unschedulable(TaskSpec spec, string reason) =>
        new UnschedulableException($"Task {spec.DisplayName} cannot be scheduled: {reason}");

    GridException IPlaceable<TaskSpec, ObjectPayload>.PinnedNodeFailed(TaskSpec spec, NodeId to, Exception error) =>
        FailureClassifier.WasNotDelivered(error)
            ? new UnschedulableException($"Task {spec.DisplayName} must run on node {to}, which is no longer in the cluster.")
            : new UnschedulableException($"Task {spec.DisplayName} must run on node {to}, which died or cannot be reached. Use a soft affinity to let it run elsewhere.", error);

    bool IPlaceable<TaskSpec, ObjectPayload>.EndsAfterNodeFailure(TaskSpec spec, NodeId to, Exception error, out ObjectPayload answer)
    {
        // Not delivered: the node refused the call (stopping) or left the cluster before it reached it. The task never
        // ran there, so placing it again costs none of its retries; membership soon drops the node.
        if (FailureClassifier.WasNotDelivered(error))
        {
            answer = null!;
            return false;
        }
        // The node may have had the task: whether to run it again is its owner's call (TaskOptions.MaxRetries).
        answer = node.Worker.LostWith(spec, to, error);
        return true;
    }

    /// <summary>
    /// Runs an admitted task here. It touches only thread-safe node services (the raylet, the executor,
    /// the worker), so its awaits do not return to the grain's scheduler: each such return would be a
    /// queued turn per task, and a grant from the queue would wait behind every message in the
    /// activation's queue.
    /// </summary>
    private async Task<ObjectPayload> RunHereAsync(TaskSpec spec, PlacementGroupScheduling? group)
    {
        // The task is this node's from here on (a forwarded one is its next node's): recorded Pending until the executor
        // starts its code, then ended by whatever this method returns (see Ended).
        var record = records.Arrive(spec);
        // Cancellable from here on (see TaskCancellations): while its arguments resolve, while it waits, while it runs.
        var cancellation = cancellations.Enter(spec.TaskId);
        try
        {
            if (cancellation.IsCancelled) return Ended(record, Cancelled(spec, "before it ran"));
            // Dependencies first: a task waiting for its arguments holds no CPU.
            var (args, failure) = await DependencyResolver.ResolveAsync(node.Worker, spec.Args, DependencyResolver.Scope.All).ConfigureAwait(false);
            if (failure is not null) return Ended(record, failure);
            if (cancellation.IsCancelled) return Ended(record, Cancelled(spec, "while its arguments were resolved"));
            var ready = ReferenceEquals(args, spec.Args) ? spec : spec.With(args: args);
            ResourceLease lease;
            bool waited;
            try
            {
                // A task still queued when its job ends (its client died) is dropped: nobody is left to want its result.
                var acquiring = raylet.AcquireAsync(spec.Resources, spec, jobs.TokenOf(spec.Job), cancellation);
                // A grant from the queue resumes this method in a thread-pool work item of its own
                // (the request's completion runs continuations asynchronously).
                waited = !acquiring.IsCompleted;
                lease = await acquiring.ConfigureAwait(false);
            }
            catch (GridException e)
            {
                return Ended(record, Fail(spec, e));
            }
            catch (OperationCanceledException) when (cancellation.IsCancelled)
            {
                return Ended(record, Cancelled(spec, "while it waited for resources"));
            }
            catch (OperationCanceledException) when (jobs.HasEnded(spec.Job))
            {
                return Ended(record, Fail(spec, new GridException($"Task {spec.DisplayName} was dropped from the queue of node {node.NodeId}: its job {spec.Job} ended.")));
            }
            using (lease)
            {
                raylet.TrackTask(spec.TaskId, lease);
                try
                {
                    // The executor runs in this activation's process directly: a second grain call per task cost a hop.
                    var execution = executor.ExecuteAsync(ready, inline: waited, cancellation, record);
                    // A task cancelled while it ran ends cancelled, whatever it returned (its token fired; it may have finished anyway).
                    if (group is null) return Ended(record, Outcome(spec, await execution.ConfigureAwait(false), cancellation));
                    // Removing the group stops the task: its result becomes the removal error at once.
                    if (await Task.WhenAny(execution, lease.Revoked).ConfigureAwait(false) == execution)
                        return Ended(record, Outcome(spec, await execution.ConfigureAwait(false), cancellation));
                    return Ended(record, Fail(spec, new PlacementGroupRemovedException($"Task {spec.DisplayName} was stopped: its placement group {group.Group} was removed.")));
                }
                finally
                {
                    raylet.UntrackTask(spec.TaskId);
                }
            }
        }
        catch (Exception e)
        {
            records.End(record, new RemoteError { TypeName = e.GetType().FullName ?? e.GetType().Name, Message = e.Message });
            throw;
        }
        finally
        {
            cancellations.Exit(spec.TaskId, cancellation);
        }
    }

    /// <summary>Ends the task's record with its outcome: Failed with the error a failed payload carries, else Finished.</summary>
    private ObjectPayload Ended(State.TaskRecords.Handle record, ObjectPayload outcome)
    {
        records.End(record, outcome.Error);
        return outcome;
    }

    private ObjectPayload Outcome(TaskSpec spec, ObjectPayload payload, TaskCancellation cancellation) =>
        cancellation.IsCancelled ? Cancelled(spec, "while it ran") : payload;

    private ObjectPayload Cancelled(TaskSpec spec, string when) => node.Worker.Cancelled(spec.TaskId, $"{spec.DisplayName}, {when} on node {node.NodeId}");

    public ObjectPayload Fail(TaskSpec spec, Exception e) =>
        ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(e, $"scheduling task {spec.DisplayName}"));
}
