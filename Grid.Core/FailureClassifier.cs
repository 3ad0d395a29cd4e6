namespace Grid.Core;

/// <summary>
/// Tells node and connection failures (the work's answer is lost: retry elsewhere) from everything else.
/// A response timeout and an aborted result stream count as losses: the answer will never come, and
/// both are how a node's death (or its gateway's) shows before membership declares it dead.
/// </summary>
internal static class FailureClassifier
{
    public static bool IsNodeFailure(Exception e) => e switch
    {
        SiloUnavailableException => true,
        OrleansMessageRejectionException => true,
        NodeDiedException => true,
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        ClientNotAvailableException => true,
        EnumerationAbortedException => true,
        TimeoutException => true,
        AggregateException { InnerExceptions.Count: 1 } a => IsNodeFailure(a.InnerExceptions[0]),
        _ => false,
    };

    /// <summary>
    /// A node failure that certainly happened before the call reached its target: no connection could be made, or the
    /// target's grain could not be placed because the node is gone. The work did not run, so sending it again is not a
    /// retry. (A rejection is not such proof: a stopping silo also rejects the calls it was running.)
    /// </summary>
    public static bool WasNotDelivered(Exception e) => e switch
    {
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        NodeDiedException { InnerException: null } => true,
        AggregateException { InnerExceptions.Count: 1 } a => WasNotDelivered(a.InnerExceptions[0]),
        _ => false,
    };

    /// <summary>
    /// A caller's error for an actor call that was not answered because delivering or answering it threw
    /// <paramref name="e"/>: said in Grid's terms, with the library's exception kept as the inner exception only.
    /// Grid's own errors (the actor died, bad arguments) pass through as they are.
    /// </summary>
    public static Exception ActorCallError(ActorId actor, string method, Exception e) => e switch
    {
        ActorDiedException or ActorNotFoundException or UnknownFunctionException or GridSerializationException => e,
        _ when IsNodeFailure(e) => new ActorDiedException(
            $"Actor {actor} died: its node died or could not be reached while {method} was sent or running, so the call did not complete. " +
            "The connection error is the inner exception.", e),
        _ => new ActorDiedException(
            $"Actor {actor} could not run {method}: the call was not answered ({e.GetType().Name}, the inner exception). " +
            "Its node may be shutting down; call again, or see that node's log.", e),
    };
}
