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
}
