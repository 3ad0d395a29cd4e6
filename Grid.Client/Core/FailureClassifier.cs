namespace Grid.Core;

/// <summary>Tells node and connection failures (retry elsewhere) from everything else.</summary>
public static class FailureClassifier
{
    public static bool IsNodeFailure(Exception e) => e switch
    {
        SiloUnavailableException => true,
        OrleansMessageRejectionException => true,
        NodeDiedException => true,
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        ClientNotAvailableException => true,
        AggregateException { InnerExceptions.Count: 1 } a => IsNodeFailure(a.InnerExceptions[0]),
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
