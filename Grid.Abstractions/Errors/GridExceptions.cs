namespace Grid;

/// <summary>Base of every error Grid itself raises. Orleans-serializable, so grains may throw them.</summary>
[GenerateSerializer]
public class GridException : Exception
{
    public GridException(string message) : base(message) { }
    public GridException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// A task or actor method threw, and its exception type could not be rebuilt where the result was
/// read. Carries the remote type name, message and stack trace. When the type can be rebuilt, Grid
/// throws that type instead, with the remote stack trace attached.
/// </summary>
[GenerateSerializer]
public sealed class GridTaskException : GridException
{
    public GridTaskException(string message) : base(message) { RemoteType = "unknown"; RemoteMessage = message; }

    public GridTaskException(string remoteType, string remoteMessage, string? remoteStackTrace, string? origin)
        : base($"{origin ?? "A remote task"} failed with {remoteType}: {remoteMessage}")
    {
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
        Origin = origin;
    }

    [Id(0)] public string RemoteType { get; }
    [Id(1)] public string RemoteMessage { get; }
    [Id(2)] public string? RemoteStackTrace { get; }
    [Id(3)] public string? Origin { get; }

    public override string? StackTrace =>
        RemoteStackTrace is null ? base.StackTrace : $"{RemoteStackTrace}\n--- end of remote stack trace ---\n{base.StackTrace}";
}

/// <summary>
/// A get or wait ran out of time before the object was ready. The object is not lost: get it again. A
/// <see cref="TimeoutException"/>, as Ray's <c>GetTimeoutError</c> is a <c>TimeoutError</c>, so code that handles
/// .NET timeouts handles it (the one Grid error that is not a <see cref="GridException"/>: .NET has no multiple
/// inheritance). Raised where the get waits, never sent between processes.
/// </summary>
public sealed class GetTimeoutException : TimeoutException
{
    public GetTimeoutException(string message) : base(message) { }
}

/// <summary>The actor is dead: killed, its constructor failed, or its node died.</summary>
[GenerateSerializer]
public sealed class ActorDiedException : GridException
{
    public ActorDiedException(string message) : base(message) { }
    public ActorDiedException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// The actor cannot take the call now: it is restarting, or the call was meant for an incarnation that died. The
/// call did not run. Callers resend such calls themselves; a user sees this only when the actor does not come back.
/// </summary>
[GenerateSerializer]
public sealed class ActorUnavailableException : GridException
{
    /// <summary>
    /// The origin a host gives this error for a call its incarnation had accepted (queued or running) when it was
    /// killed for a restart: unlike a refused call, it counts against ActorOptions.MaxTaskRetries.
    /// </summary>
    public const string AcceptedOrigin = "grid: accepted by an incarnation that died";

    public ActorUnavailableException(string message) : base(message) { }
    public ActorUnavailableException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A named actor does not exist in the namespace.</summary>
[GenerateSerializer]
public sealed class ActorNotFoundException : GridException
{
    public ActorNotFoundException(string message) : base(message) { }
}

/// <summary>
/// The task or actor call was cancelled (<c>GridClient.CancelAsync</c>, Ray's <c>TaskCancelledError</c>), or it depends on
/// one that was: its result will never be computed. Submit it again if it is still needed.
/// </summary>
[GenerateSerializer]
public sealed class TaskCancelledException : GridException
{
    public TaskCancelledException(string message) : base(message) { }
}

/// <summary>An actor call named a concurrency group its actor does not declare; the message lists those it has.</summary>
[GenerateSerializer]
public sealed class ConcurrencyGroupNotFoundException : GridException
{
    public ConcurrencyGroupNotFoundException(string message) : base(message) { }
}

/// <summary>The function, method or type named in a task could not be found, or its arguments do not match it.</summary>
[GenerateSerializer]
public sealed class UnknownFunctionException : GridException
{
    public UnknownFunctionException(string message) : base(message) { }
}

/// <summary>A lambda that captures variables (or <c>this</c>) was submitted as a remote function.</summary>
[GenerateSerializer]
public sealed class CapturingLambdaException : GridException
{
    public CapturingLambdaException(string message) : base(message) { }
}

/// <summary>A value cannot be serialized by Grid (a delegate, a pointer, a stream…); the message names its type.</summary>
[GenerateSerializer]
public sealed class GridSerializationException : GridException
{
    public GridSerializationException(string message) : base(message) { }
    public GridSerializationException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// A task declared several returns (<see cref="TaskOptions.NumReturns"/>, or a tuple split with RemoteSplit) but its
/// function returned another number of values. Every return ref of the task fails with it.
/// </summary>
[GenerateSerializer]
public sealed class ReturnCountMismatchException : GridException
{
    public ReturnCountMismatchException(string message) : base(message) { }

    public ReturnCountMismatchException(string message, int declared, int returned) : base(message)
    {
        Declared = declared;
        Returned = returned;
    }

    /// <summary>The number of returns the task declared.</summary>
    [Id(0)] public int Declared { get; }
    /// <summary>The number of values its function returned; -1 when it returned null.</summary>
    [Id(1)] public int Returned { get; }
}

/// <summary>An object's value can no longer be had: every copy was lost and it cannot be recomputed.</summary>
[GenerateSerializer]
public sealed class ObjectLostException : GridException
{
    public ObjectLostException(string message) : base(message) { }
}

/// <summary>A task could not be scheduled: no node could ever satisfy it, or the node it must run on is gone.</summary>
[GenerateSerializer]
public sealed class UnschedulableException : GridException
{
    public UnschedulableException(string message) : base(message) { }
    public UnschedulableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The node running a task died and the task's retries are used up.</summary>
[GenerateSerializer]
public sealed class NodeDiedException : GridException
{
    public NodeDiedException(string message) : base(message) { }
    public NodeDiedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A node's object store could take an object neither in memory nor in its spill directory. The message names the
/// sizes and the settings to change (the store's memory capacity, the spill directory or its limit).
/// </summary>
[GenerateSerializer]
public sealed class ObjectStoreFullException : GridException
{
    public ObjectStoreFullException(string message) : base(message) { }
}

/// <summary>The process that owned an object (submitted its task or put it) died, and the object with it.</summary>
[GenerateSerializer]
public sealed class OwnerDiedException : GridException
{
    public OwnerDiedException(string message) : base(message) { }
}
