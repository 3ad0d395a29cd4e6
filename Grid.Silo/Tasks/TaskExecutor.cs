using Grid.Silo.Execution;
using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>
/// Runs admitted tasks (Ray's worker). User code runs on the thread pool, never on a grain's
/// scheduler, so a blocking task cannot stall the silo; results go back inline or into the store.
/// The raylet calls it directly once it has granted resources: a second grain call to an executor
/// grain cost a message, a scheduling turn and a response per task, and bought nothing, since the
/// executor always ran on the raylet's own silo.
/// </summary>
internal sealed class TaskExecutor(NodeRuntime node, Raylet.NodeScheduler raylet, Jobs.JobCodeRegistry jobs, TaskRetryEvents retries, State.TaskRecords records, Diagnostics.GridMetrics metrics)
{
    /// <param name="inline">The caller is a thread-pool work item of this task's own (see <see cref="Raylet.LocalTaskManager"/>): run the user's code on it.</param>
    /// <param name="cancellation">The task's cancellation: its token goes to the code (a CancellationToken parameter, GridContext), and no retry starts once it is cancelled.</param>
    /// <param name="record">The task's record on this node: marked Running as its user code starts.</param>
    public async Task<ObjectPayload> ExecuteAsync(TaskSpec spec, bool inline, Core.TaskCancellation cancellation, State.TaskRecords.Handle record)
    {
        var worker = node.Worker;
        var origin = new FailureOrigin(spec, node.NodeId);
        try
        {
            // A job that shipped its code resolves functions and type names in its own load context.
            var code = await jobs.GetAsync(spec.Job).ConfigureAwait(false);
            using var scope = Jobs.JobCode.Enter(code);
            var method = Jobs.JobCode.Resolve(code, spec.Function);
            var args = await ArgumentResolver.MaterializeAsync(worker, spec.Args, method.ParameterTypes, CancellationToken.None).ConfigureAwait(false);
            if (method.CancellationParameter >= 0) args[method.CancellationParameter] = cancellation.Token;
            var lease = raylet.LeaseOf(spec.TaskId);
            var context = new GridContext(node.ClientFor(spec.Job, jobs.NamespaceOf(spec.Job)), node.NodeId, spec.Job, spec.TaskId, null,
                lease?.GpuIds ?? [], lease is null ? null : lease.EnterBlocked)
            {
                Attempt = spec.Attempt, Resources = lease?.Resources ?? spec.Resources, Environment = jobs.EnvironmentOf(spec.Job),
                Cancellation = cancellation,
            };
            var retry = new RetryRun(spec.Retry, spec.Attempt, spec.Job, retries, spec.Retry is null ? null : () => cancellation.IsCancelled);
            metrics.TaskStarted(records.Start(record));
            // A task granted from the queue already runs in a work item of its own: a hop through
            // Task.Run would only queue another. Anywhere else (a grain turn, a batch being admitted),
            // user code must not hold up the caller.
            try
            {
                if (inline) return await UserCode.RunAsync(worker, method, null, args, spec.TaskId, spec.Owner, origin, context, retry, spec.NumReturns, spec.Stream).ConfigureAwait(false);
                return await Task.Run(() => UserCode.RunAsync(worker, method, null, args, spec.TaskId, spec.Owner, origin, context, retry, spec.NumReturns, spec.Stream).AsTask()).ConfigureAwait(false);
            }
            finally
            {
                worker.Actors.TaskEnded(context); // its calls to actors are done being made
            }
        }
        catch (Exception e)
        {
            return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin.ToString()));
        }
    }

}
