using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// How a submitter tells that a task's node died under it, whatever way the death shows: an exception from the call
/// (<see cref="FailureClassifier"/>), the node leaving this process's view while the call waits
/// (<see cref="NodeDeaths"/>), or an answer from a forwarding raylet saying the node it forwarded to died
/// (<see cref="RemoteError.LostWith"/>). Each of them ends in the one retry path of <see cref="NormalTaskSubmitter"/>.
/// </summary>
internal sealed partial class CoreWorker
{
    private NodeDeaths? _nodeDeaths;
    // A client (no node of its own) reaches nodes through gateways: any death may have cut some of its calls.
    private NodeDeaths Deaths => _nodeDeaths ?? Interlocked.CompareExchange(ref _nodeDeaths, new NodeDeaths(interruptAllOnDeath: LocalNode is null), null) ?? _nodeDeaths;

    /// <summary>
    /// A call to <paramref name="node"/>, ended with <see cref="NodeDiedException"/> as soon as this process learns
    /// that the node died (the call itself may only end when Orleans gives up, if ever), or with
    /// <see cref="CallInterruptedException"/> when another node's death may have cut it in transit.
    /// </summary>
    public Task<T> CallNodeAsync<T>(NodeId node, Task<T> call)
    {
        if (call.IsCompleted) return call;
        // Sent to a node already known dead (a view a moment old): it cannot have run there, so it is not a loss.
        if (Deaths.HasDied(node)) return Task.FromException<T>(new NodeDiedException($"Node {node} is no longer in the cluster."));
        return Watched(this, node, call);

        static async Task<T> Watched(CoreWorker worker, NodeId node, Task<T> call)
        {
            try
            {
                return await call.WaitAsync(worker.Deaths.Of(node)).ConfigureAwait(false);
            }
            catch (OperationCanceledException e)
            {
                _ = call.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
                if (worker.Deaths.HasDied(node))
                    throw new NodeDiedException($"Node {node} died while it had this call; the work it held is resubmitted as its retries allow.", e);
                throw new CallInterruptedException(node, e);
            }
        }
    }

    /// <summary>Cancelled when <paramref name="node"/> is known dead (for streams of results from it).</summary>
    internal CancellationToken DeathOf(NodeId node) => Deaths.Of(node);

    internal bool IsKnownDead(NodeId node) => Deaths.HasDied(node);

    /// <summary>
    /// A call to a live node that another node's death may have cut in transit (its gateway died): the caller sends the
    /// same work to the same node again, which answers with what it already runs. Not a failure of the work.
    /// </summary>
    internal sealed class CallInterruptedException(NodeId node, Exception inner)
        : Exception($"A call to node {node} was interrupted by another node's death; it is sent again.", inner)
    {
        public NodeId Node { get; } = node;
    }

    /// <summary>True when <paramref name="payload"/> says the task did not fail but was lost with a node that died.</summary>
    internal static bool IsLost(ObjectPayload payload, out NodeId node, out string reason)
    {
        if (payload is { Kind: PayloadKind.Error, Error.LostWith: { } lost })
        {
            node = lost;
            reason = payload.Error.Message;
            return true;
        }
        node = default;
        reason = "";
        return false;
    }

    /// <summary>The answer of a raylet that forwarded a task to <paramref name="node"/>, which died with it: the owner retries.</summary>
    public ObjectPayload LostWith(TaskSpec spec, NodeId node, Exception cause)
    {
        var error = Serializer.ToRemoteError(new NodeDiedException($"Task {spec.DisplayName} was lost with node {node}, which died while it had the task.", cause),
            $"forwarding task {spec.DisplayName}");
        return ObjectPayload.Failed(new RemoteError
        {
            TypeName = error.TypeName, Message = error.Message, StackTrace = error.StackTrace, Origin = error.Origin, Exception = error.Exception, LostWith = node,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Node {Node} left the cluster: work this process had on it is resubmitted as its retries allow")]
        public static partial void NodeDied(ILogger logger, NodeId node);
    }
}
