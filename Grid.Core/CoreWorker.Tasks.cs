using Grid.Functions;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

internal sealed partial class CoreWorker
{
    /// <summary>
    /// Submits a task: checks and serializes its arguments now (so bad input fails here, at the
    /// caller), registers the result as owned, and dispatches in the background.
    /// </summary>
    public ObjectRef<T> SubmitTask<T>(JobId job, FunctionDescriptor function, TaskOptions options, TaskArgument[] args)
    {
        var method = FunctionCatalog.Resolve(function);
        if (!method.IsStaticFunction)
            throw new UnknownFunctionException($"{function.DisplayName} is an instance method; run it through an actor, or make it static.");
        var scratch = NestedArgumentScratch(); // refs inside argument values: pinned below, and lent
        var spec = new TaskSpec
        {
            TaskId = ObjectId.New(),
            Job = job,
            Function = function,
            Args = BuildArgs(function, method.ParameterTypes, args, scratch),
            Resources = ResourcesOf(options),
            Name = options.Name,
            Owner = OwnerAddress,
            Scheduling = options.Scheduling,
        };
        var nested = TakeNested(scratch);
        var entry = _owned.AddPending(spec.TaskId);
        var result = entry.Payload;
        PinArguments(result.Task, spec.Args, nested); // refcount: arguments live until the task ends
        KeepLineage(entry, spec, options.MaxRetries); // to run it again if its stored result is lost
        TasksSubmitted.Add(1);
        // A burst travels in batches; work with refs this process must lend or resolve first goes alone.
        // Inside a node (tasks submitting tasks, the embedded client) work goes straight to the local raylet.
        if (nested is not { Count: > 0 } && IsBatchable(spec))
        {
            if (_localRaylet is { } local && Selector.Pick() == LocalNode) SubmitLocal(local, spec, options.MaxRetries, result);
            else Batcher.Enqueue(spec, options.MaxRetries, result);
        }
        else _ = RunTaskAsync(spec, options.MaxRetries, result, nested is { Count: > 0 } ? nested : null);
        return new ObjectRef<T>(spec.TaskId, OwnerAddress, this);
    }

    // A remote function submits with the same options object every time: build its resource set once
    // instead of a list and a set per task (keyed by reference, so the options' value equality is not computed).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TaskOptions, ResourceSet> Resources = new();

    private static ResourceSet ResourcesOf(TaskOptions options) => Resources.GetValue(options, static o => o.ToResourceSet());

    /// <param name="nested">Collects refs nested inside argument values, when the caller wants them.</param>
    internal TaskArg[] BuildArgs(FunctionDescriptor function, Type[] parameterTypes, TaskArgument[] args, List<ObjectRef>? nested = null)
    {
        if (args.Length != parameterTypes.Length)
            throw new UnknownFunctionException($"{function.DisplayName} takes {parameterTypes.Length} arguments, but {args.Length} were passed.");
        if (args.Length == 0) return [];
        var wire = new TaskArg[args.Length];
        List<int>? large = null; // put into the store once every argument serialized (a later one may fail)
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.Reference is { } r)
            {
                wire[i] = TaskArg.Reference(r.ToData());
                continue;
            }
            if (IsLargePrimitiveArray(a.Value, out _))
            {
                (large ??= []).Add(i);
                continue;
            }
            byte[] bytes;
            try
            {
                if (nested is null) bytes = Serializer.Serialize(a.Value, parameterTypes[i]);
                else
                {
                    using var collecting = Serialization.NestedRefCollector.Begin(nested);
                    bytes = Serializer.Serialize(a.Value, parameterTypes[i]);
                }
            }
            catch (GridSerializationException e)
            {
                throw new GridSerializationException($"Argument {i + 1} of {function.DisplayName} cannot be serialized: {e.Message}", e);
            }
            if (bytes.Length <= InlineThreshold) wire[i] = TaskArg.Value(bytes);
            else
            {
                (large ??= []).Add(i);
                wire[i] = TaskArg.Value(bytes); // replaced by its ref below
            }
        }
        if (large is not null)
            foreach (var i in large)
                wire[i] = PutLargeArgument(args[i].Value, parameterTypes[i], wire[i]?.Inline);
        return wire;
    }

    /// <param name="firstAttempt">0 for a submission; a rebuild's first attempt number (see <c>CoreWorker.Lineage</c>).</param>
    private async Task RunTaskAsync(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result, List<ObjectRef>? nested, int firstAttempt = 0)
    {
        try
        {
            var (resolved, preferred, failure) = await ResolveOwnedDependenciesAsync(spec).ConfigureAwait(false);
            if (failure is not null)
            {
                result.TrySetResult(failure);
                return;
            }
            if (nested is not null) resolved = resolved.With(borrowed: await LendNestedAsync(nested).ConfigureAwait(false));
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
            var node = preferred ?? Selector.Pick(failed);
            NodeId lostWith;
            string reason;
            try
            {
                var attemptSpec = attempt == 0 ? resolved : resolved.With(attempt: attempt);
                var payload = await (LocalRayletFor(node) is { } local ? local.SubmitAsync(attemptSpec) : CallNodeAsync(node, RayletOf(node).SubmitTask(attemptSpec))).ConfigureAwait(false);
                if (!IsLost(payload, out lostWith, out reason))
                {
                    ResultDelivery.CompleteLone(result, payload);
                    return;
                }
            }
            catch (CallInterruptedException)
            {
                // Another node's death may have cut this call in transit: the same spec goes to the same node again,
                // which answers with the task it already runs (or runs it, if it never got it). Not a retry.
                preferred = node;
                attempt--;
                continue;
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                if (FailureClassifier.WasNotDelivered(e) && ++undelivered <= MaxResends)
                {
                    // The task never reached the node, so it did not run: sending it elsewhere costs none of its retries
                    // (a bounded number of times, with a growing pause, in case the whole cluster is unreachable).
                    (failed ??= []).Add(node);
                    preferred = null;
                    await Task.Delay(TimeSpan.FromMilliseconds(50 << undelivered)).ConfigureAwait(false);
                    await RefreshViewAsync().ConfigureAwait(false);
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
        if (maxRetries >= 0 && attempt >= maxRetries)
        {
            Log.TaskLost(_logger, spec.DisplayName, node, maxRetries);
            result.TrySetResult(ObjectPayload.Failed(Serializer.ToRemoteError(new NodeDiedException(
                $"Task {spec.DisplayName} was lost with its node {node}, which died while it had the task, and its {maxRetries} retries are used up; " +
                "raise TaskOptions.MaxRetries to retry more (-1 retries forever)."), null)));
            return false;
        }
        TaskRetries.Add(1);
        Log.TaskRetrying(_logger, spec.DisplayName, node, reason, attempt + 1, maxRetries);
        failed.Add(node);
        // Only a node this process has not yet seen die needs a fresh look: after a death, every lost task asks.
        if (!IsKnownDead(node)) await RefreshViewAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Sends of one attempt that never reached a node (<see cref="FailureClassifier.WasNotDelivered"/>) before it counts as lost.</summary>
    private const int MaxResends = 6;

    /// <summary>A fresh look at the live nodes, when it can be had: while a node dies the GCS may be out of reach too.</summary>
    private async Task RefreshViewAsync()
    {
        try
        {
            await Selector.RefreshAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
        {
            // The next pick uses the view as it was, less the nodes that failed this task.
        }
    }

    internal ObjectPayload FailedSubmission(TaskSpec spec, Exception e) =>
        ObjectPayload.Failed(Serializer.ToRemoteError(e, $"submitting task {spec.DisplayName}"));

    /// <summary>
    /// Waits for the task's arguments that this process owns (<see cref="DependencyResolver"/>), fails the task at once
    /// if one of them failed, and prefers the node that holds the largest stored one.
    /// </summary>
    private async ValueTask<(TaskSpec Spec, NodeId? Preferred, ObjectPayload? Failure)> ResolveOwnedDependenciesAsync(TaskSpec spec)
    {
        var (args, failure) = await DependencyResolver.ResolveAsync(this, spec.Args, DependencyResolver.Scope.Owned).ConfigureAwait(false);
        if (failure is not null) return (spec, null, failure);
        var preferred = DependencyResolver.LargestStoredArgumentNode(args, IsKnownDead);
        return (ReferenceEquals(args, spec.Args) ? spec : spec.With(args: args), preferred, null);
    }

    /// <summary>
    /// A client's refs nested in a task's arguments: wait for them and ship their payloads with the
    /// task. Ray would let the task ask the owner; a silo reaches a client only through its gateway,
    /// and such calls proved unreliable, so the client answers before it is asked.
    /// </summary>
    private async ValueTask<BorrowedObject[]?> LendNestedAsync(List<ObjectRef> nested)
    {
        var lent = new List<BorrowedObject>();
        foreach (var r in nested.DistinctBy(r => r.Id))
            if (r.Owner == OwnerAddress) lent.Add(new BorrowedObject(r.Id, await GetOwnedPayload(r.Id).ConfigureAwait(false)));
        return lent.Count > 0 ? [.. lent] : null;
    }
}
