using Grid.Grains;
using Grid.Wire;

namespace Grid.Core;

/// <summary>Batched task submission (see <see cref="TaskBatcher"/>); the single-task path stays in CoreWorker.Tasks.</summary>
internal sealed partial class CoreWorker
{
    private TaskBatcher? _taskBatcher;
    private TaskBatcher Batcher => _taskBatcher ?? Interlocked.CompareExchange(ref _taskBatcher, new TaskBatcher(this), null) ?? _taskBatcher;

    /// <summary>
    /// A task can ride in a batch when nothing has to happen before it is sent: no argument is a ref
    /// this process owns (those are resolved first, and may steer the task to the node holding them).
    /// </summary>
    // Only default-scheduled work is batched: a strategy (SPREAD, affinity, a placement group) is
    // placed task by task, as before batching, so a burst cannot pile up on one raylet's choice.
    private bool IsBatchable(TaskSpec spec) =>
        spec.Borrowed is null && spec.Scheduling is null or DefaultScheduling && IsBatchable(spec.Args);

    private bool IsBatchable(TaskArg[] args)
    {
        foreach (var a in args)
            if (a.Ref is { } r && r.Owner == OwnerAddress) return false;
        return true;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<NodeId, IRayletGrain> _raylets = new();

    /// <summary>
    /// A node's raylet grain reference, made once per node: GetGrain with a string key resolves the
    /// interface's grain type each time (type names, a lookup, ~600 B), more than a tiny task's submission.
    /// </summary>
    public IRayletGrain RayletOf(NodeId node) =>
        _raylets.TryGetValue(node, out var raylet) ? raylet : _raylets.GetOrAdd(node, n => Grains.GetGrain<IRayletGrain>(n.Value));

    private ActorCallBatcher? _actorCalls;
    internal ActorCallBatcher ActorCalls => _actorCalls ?? Interlocked.CompareExchange(ref _actorCalls, new ActorCallBatcher(this, _logger), null) ?? _actorCalls;

    /// <summary>A lone task of the batcher: one plain call; <paramref name="answered"/> runs before its result is published.</summary>
    internal async Task SubmitSingleAsync(TaskSpec spec, NodeId node, int maxRetries, TaskCompletionSource<ObjectPayload> result, Action answered)
    {
        ObjectPayload payload;
        try
        {
            payload = await CallNodeAsync(node, RayletOf(node).SubmitTask(spec)).ConfigureAwait(false);
        }
        catch (CallInterruptedException)
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
        if (IsLost(payload, out var node, out var reason)) _ = RetryLostTaskAsync(spec, maxRetries, result, node, reason);
        else ResultDelivery.CompleteLone(result, payload);
    }
}
