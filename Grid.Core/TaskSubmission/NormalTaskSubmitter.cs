using Grid.Functions;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// Ray's normal-task submitter (<c>core_worker/task_submission/normal_task_submitter</c>): one flow for every task this
/// process submits — serialize and pin the arguments, register the result as owned, resolve the owned dependencies
/// (<see cref="DependencyResolver"/>), then the local raylet (inside a node), a batch (<see cref="TaskBatcher"/>) or a
/// lone call — and one retry loop (<see cref="SubmitWithRetriesAsync"/>) that every path's losses end in.
/// </summary>
internal sealed partial class NormalTaskSubmitter(CoreWorker worker, ILogger logger)
{
    private static readonly System.Diagnostics.Metrics.Counter<long> TasksSubmitted = CoreWorker.Meter.CreateCounter<long>("grid.tasks.submitted");
    private static readonly System.Diagnostics.Metrics.Counter<long> TaskRetries = CoreWorker.Meter.CreateCounter<long>("grid.tasks.retried");

    /// <summary>
    /// Submits a task: checks and serializes its arguments now (so bad input fails here, at the
    /// caller), registers the result as owned, and dispatches in the background.
    /// </summary>
    /// <param name="stream">Set when the task is called as a stream (see <see cref="StreamSpec"/>).</param>
    public ObjectRef<T> Submit<T>(JobId job, FunctionDescriptor function, TaskOptions options, TaskArgument[] args, StreamSpec? stream = null) =>
        new(Submit(job, function, options, args, 0, stream), worker.OwnerAddress, worker);

    /// <summary>
    /// Submits a task and returns its id. <paramref name="numReturns"/> 0: its one return is the whole value (the
    /// object with the task's id); n from 1 on: the value is split into n returns, return i being the object
    /// <see cref="ObjectId.ForReturn"/>(id, i), each registered as owned here. The caller makes a ref to each at once.
    /// </summary>
    public ObjectId Submit(JobId job, FunctionDescriptor function, TaskOptions options, TaskArgument[] args, int numReturns, StreamSpec? stream = null)
    {
        var method = FunctionCatalog.Resolve(function);
        if (!method.IsStaticFunction)
            throw new UnknownFunctionException($"{function.DisplayName} is an instance method; run it through an actor, or make it static.");
        var scratch = CoreWorker.NestedArgumentScratch(); // refs inside argument values: pinned below, and lent
        var spec = new TaskSpec
        {
            TaskId = ObjectId.New(),
            Job = job,
            Function = function,
            Args = worker.BuildArgs(function, method.ParameterTypes, args, scratch),
            Resources = ResourcesOf(options),
            Name = options.Name,
            Owner = worker.OwnerAddress,
            Scheduling = options.Scheduling,
            Stream = stream,
            Retry = RetryPolicy.ForTask(options), // exception retries run on the node (see Grid.Silo's UserCode); node deaths here
            NumReturns = numReturns,
        };
        var nested = CoreWorker.TakeNested(scratch);
        ExecutionScope.Current?.Cancellation?.AddChild(spec.TaskId); // a recursive cancel of the submitting task reaches it
        var entry = worker.Owned.AddPending(spec.TaskId);
        // A split value: the outcome completes a future of its own, which completes each return's entry.
        var result = numReturns > 0 ? new TaskCompletionSource<ObjectPayload>() : entry.Payload;
        worker.PinArguments(result.Task, spec.Args, nested); // refcount: arguments live until the task ends
        if (numReturns > 0) worker.RegisterReturns(spec, entry, result.Task, options.MaxRetries);
        else worker.KeepLineage(entry, spec, options.MaxRetries); // to run it again if its stored result is lost
        TasksSubmitted.Add(1);
        // A burst travels in batches; work with refs this process must lend or resolve first goes alone.
        // Inside a node (tasks submitting tasks, the embedded client) work goes straight to the local raylet.
        if (nested is not { Count: > 0 } && IsBatchable(spec))
        {
            if (_localRaylet is { } local && worker.Selector.Pick() == worker.LocalNode) SubmitLocal(local, spec, options.MaxRetries, result);
            else Batcher.Enqueue(spec, options.MaxRetries, result);
        }
        else _ = RunTaskAsync(spec, options.MaxRetries, result, nested is { Count: > 0 } ? nested : null);
        return spec.TaskId;
    }

    // A remote function submits with the same options object every time: build its resource set once
    // instead of a list and a set per task (keyed by reference, so the options' value equality is not computed).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TaskOptions, ResourceSet> Resources = new();

    private static ResourceSet ResourcesOf(TaskOptions options) => Resources.GetValue(options, static o => o.ToResourceSet());

    /// <param name="firstAttempt">0 for a submission; a rebuild's first attempt number (see <c>CoreWorker.Lineage</c>).</param>
    internal async Task RunTaskAsync(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result, List<ObjectRef>? nested, int firstAttempt = 0)
    {
        try
        {
            var (resolved, preferred, failure) = await ResolveOwnedDependenciesAsync(spec).ConfigureAwait(false);
            if (failure is not null)
            {
                result.TrySetResult(failure);
                return;
            }
            if (result.Task.IsCompleted) return; // cancelled while its arguments resolved
            if (nested is not null) resolved = resolved.With(borrowed: await worker.LendNestedAsync(nested).ConfigureAwait(false));
            // Work pinned to a node goes straight to it: no raylet between that could die with it in transit.
            if (spec.Scheduling is NodeAffinityScheduling pinned) preferred = pinned.Node;
            await SubmitWithRetriesAsync(resolved, preferred, maxRetries, result, firstAttempt, null).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            result.TrySetResult(FailedSubmission(spec, e));
        }
    }

    /// <summary>
    /// Sends a resolved task to a raylet from attempt <paramref name="firstAttempt"/> on, retrying elsewhere while its
    /// node dies under it: the one retry loop of every submission path (single, batched, local).
    /// </summary>
    private async Task SubmitWithRetriesAsync(TaskSpec resolved, NodeId? preferred, int maxRetries, TaskCompletionSource<ObjectPayload> result, int firstAttempt, List<NodeId>? failed)
    {
        var undelivered = 0;
        for (var attempt = firstAttempt; ; attempt++)
        {
            var node = preferred ?? worker.Selector.Pick(failed);
            NodeId lostWith;
            string reason;
            try
            {
                var attemptSpec = attempt == 0 ? resolved : resolved.With(attempt: attempt);
                var payload = await (LocalRayletFor(node) is { } local ? local.SubmitAsync(attemptSpec) : worker.CallNodeAsync(node, worker.RayletOf(node).SubmitTask(attemptSpec))).ConfigureAwait(false);
                if (!CoreWorker.IsLost(payload, out lostWith, out reason))
                {
                    ResultDelivery.CompleteLone(result, payload);
                    return;
                }
            }
            catch (CoreWorker.CallInterruptedException)
            {
                // Another node's death may have cut this call in transit: the same spec goes to the same node again,
                // which answers with the task it already runs (or runs it, if it never got it). Not a retry.
                preferred = node;
                attempt--;
                continue;
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                if (FailureClassifier.WasNotDelivered(e) && ++undelivered <= CoreWorker.MaxResends)
                {
                    // The task never reached the node, so it did not run: sending it elsewhere costs none of its retries
                    // (a bounded number of times, with a growing pause, in case the whole cluster is unreachable).
                    (failed ??= []).Add(node);
                    preferred = null;
                    await Task.Delay(TimeSpan.FromMilliseconds(50 << undelivered)).ConfigureAwait(false);
                    await worker.RefreshViewAsync().ConfigureAwait(false);
                    attempt--;
                    continue;
                }
                (lostWith, reason) = (node, e.Message);
            }
            if (!await RetryAfterLossAsync(resolved, lostWith, reason, attempt, maxRetries, result, failed ??= []).ConfigureAwait(false)) return;
            preferred = null;
        }
    }

    /// <summary>
    /// A task whose answer was lost with <paramref name="node"/> after its first attempt (a batch, a local raylet that
    /// forwarded it): retried on its own, as if that attempt had been a single call.
    /// </summary>
    internal async Task RetryLostTaskAsync(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result, NodeId node, string reason)
    {
        try
        {
            List<NodeId> failed = [];
            if (await RetryAfterLossAsync(spec, node, reason, 0, maxRetries, result, failed).ConfigureAwait(false))
                await SubmitWithRetriesAsync(spec, null, maxRetries, result, 1, failed).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            result.TrySetResult(FailedSubmission(spec, e));
        }
    }

    /// <summary>
    /// A task whose call to <paramref name="node"/> was interrupted by another node's death (a batch, a lone call): sent
    /// again, alone, to the same node, which answers with the task it already runs.
    /// </summary>
    internal async Task ResendAsync(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result, NodeId node)
    {
        try
        {
            await SubmitWithRetriesAsync(spec, node, maxRetries, result, spec.Attempt, null).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            result.TrySetResult(FailedSubmission(spec, e));
        }
    }

    /// <summary>After attempt <paramref name="attempt"/> was lost with <paramref name="node"/>: false (and the result failed) when no retry is left.</summary>
    private async ValueTask<bool> RetryAfterLossAsync(TaskSpec spec, NodeId node, string reason, int attempt, int maxRetries, TaskCompletionSource<ObjectPayload> result, List<NodeId> failed)
    {
        if (result.Task.IsCompleted) return false; // cancelled meanwhile: nothing to run again
        if (maxRetries >= 0 && attempt >= maxRetries)
        {
            Log.TaskLost(logger, spec.DisplayName, node, maxRetries);
            result.TrySetResult(ObjectPayload.Failed(worker.Serializer.ToRemoteError(new NodeDiedException(
                $"Task {spec.DisplayName} was lost with its node {node}, which died while it had the task, and its {maxRetries} retries are used up; " +
                "raise TaskOptions.MaxRetries to retry more (-1 retries forever)."), null)));
            return false;
        }
        TaskRetries.Add(1);
        Log.TaskRetrying(logger, spec.DisplayName, node, reason, attempt + 1, maxRetries);
        failed.Add(node);
        // Only a node this process has not yet seen die needs a fresh look: after a death, every lost task asks.
        if (!worker.IsKnownDead(node)) await worker.RefreshViewAsync().ConfigureAwait(false);
        return true;
    }

    internal ObjectPayload FailedSubmission(TaskSpec spec, Exception e) =>
        ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, $"submitting task {spec.DisplayName}"));

    /// <summary>
    /// Waits for the task's arguments that this process owns (<see cref="DependencyResolver"/>), fails the task at once
    /// if one of them failed, and prefers the node that holds the largest stored one.
    /// </summary>
    private async ValueTask<(TaskSpec Spec, NodeId? Preferred, ObjectPayload? Failure)> ResolveOwnedDependenciesAsync(TaskSpec spec)
    {
        var (args, failure) = await DependencyResolver.ResolveAsync(worker, spec.Args, DependencyResolver.Scope.Owned).ConfigureAwait(false);
        if (failure is not null) return (spec, null, failure);
        var preferred = DependencyResolver.LargestStoredArgumentNode(args, worker.IsKnownDead);
        return (ReferenceEquals(args, spec.Args) ? spec : spec.With(args: args), preferred, null);
    }


    private TaskBatcher? _taskBatcher;
    private TaskBatcher Batcher => _taskBatcher ?? Interlocked.CompareExchange(ref _taskBatcher, new TaskBatcher(worker), null) ?? _taskBatcher;

    /// <summary>
    /// A task can ride in a batch when nothing has to happen before it is sent: no argument is a ref
    /// this process owns (those are resolved first, and may steer the task to the node holding them).
    /// </summary>
    // Only default-scheduled work is batched: a strategy (SPREAD, affinity, a placement group) is
    // placed task by task, as before batching, so a burst cannot pile up on one raylet's choice.
    private bool IsBatchable(TaskSpec spec) =>
        spec.Borrowed is null && spec.Scheduling is null or DefaultScheduling && worker.OwnsNoRefIn(spec.Args);


    /// <summary>A lone task of the batcher: one plain call; <paramref name="answered"/> runs before its result is published.</summary>
    internal async Task SubmitSingleAsync(TaskSpec spec, NodeId node, int maxRetries, TaskCompletionSource<ObjectPayload> result, Action answered)
    {
        ObjectPayload payload;
        try
        {
            payload = await worker.CallNodeAsync(node, worker.RayletOf(node).SubmitTask(spec)).ConfigureAwait(false);
        }
        catch (CoreWorker.CallInterruptedException)
        {
            answered();
            await ResendAsync(spec, maxRetries, result, node).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
        {
            answered();
            await RetryLostTaskAsync(spec, maxRetries, result, node, e.Message).ConfigureAwait(false);
            return;
        }
        catch
        {
            answered();
            throw;
        }
        answered();
        Complete(spec, maxRetries, result, payload);
    }

    /// <summary>Publishes a task's answer, or retries the task when the answer says it was lost with a node.</summary>
    internal void Complete(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result, ObjectPayload payload)
    {
        if (CoreWorker.IsLost(payload, out var node, out var reason)) _ = RetryLostTaskAsync(spec, maxRetries, result, node, reason);
        else ResultDelivery.CompleteLone(result, payload);
    }

    private ILocalRaylet? _localRaylet;

    /// <summary>Called by the node this worker belongs to once its raylet runs.</summary>
    public void AttachLocalRaylet(ILocalRaylet raylet) => _localRaylet = raylet;

    /// <summary>The local raylet when <paramref name="node"/> is this process's node.</summary>
    private ILocalRaylet? LocalRayletFor(NodeId node) => _localRaylet is { } r && node == worker.LocalNode ? r : null;

    /// <summary>
    /// Runs a task on the local raylet and publishes its result from the thread that finished it: no
    /// message, no batch. The local raylet cannot be lost the way a remote node can, but a node it
    /// forwarded the task to can: that answer goes back to the retry loop (<see cref="Complete"/>).
    /// </summary>
    private void SubmitLocal(ILocalRaylet raylet, TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result)
    {
        Task<ObjectPayload> running;
        try
        {
            running = raylet.SubmitAsync(spec);
        }
        catch (Exception e)
        {
            result.TrySetResult(FailedSubmission(spec, e));
            return;
        }
        if (running.IsCompleted) Publish(running, this, spec, maxRetries, result);
        else running.ContinueWith(static (t, state) =>
        {
            var (submitter, spec, maxRetries, result) = ((NormalTaskSubmitter, TaskSpec, int, TaskCompletionSource<ObjectPayload>))state!;
            Publish(t, submitter, spec, maxRetries, result);
        }, (this, spec, maxRetries, result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        static void Publish(Task<ObjectPayload> t, NormalTaskSubmitter submitter, TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result)
        {
            // Like a lone call's response: the task's own thread is free now (its lease is released).
            if (t.IsCompletedSuccessfully) submitter.Complete(spec, maxRetries, result, t.Result);
            else result.TrySetResult(submitter.FailedSubmission(spec, t.Exception?.GetBaseException() ?? new TaskCanceledException()));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Task {Task} was lost with node {Node} ({Reason}); retrying elsewhere ({Attempt}/{Max})")]
        public static partial void TaskRetrying(ILogger logger, string task, NodeId node, string reason, int attempt, int max);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Task {Task} was lost with node {Node} and has no retries left ({Max})")]
        public static partial void TaskLost(ILogger logger, string task, NodeId node, int max);
    }
}
