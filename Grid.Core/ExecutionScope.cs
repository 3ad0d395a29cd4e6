namespace Grid.Core;

/// <summary>
/// What the core worker needs of the task or actor method running on this async flow: a way to give its CPU back
/// while it blocks in a get. The SDK's <c>GridContext</c> implements it; one AsyncLocal holds it for both, so setting
/// the context per task costs one write.
/// </summary>
internal interface IExecutionScope
{
    /// <summary>Marks the running task as blocked in a get: its CPU goes back to the node until disposal.</summary>
    IDisposable? EnterBlocked();

    /// <summary>
    /// Who calls actors from this flow, as Ray counts callers: the running task, or the actor (all its methods are one
    /// caller). Unique within the process; each caller's calls to an actor keep their order, and wait for no one else's.
    /// </summary>
    string CallerKey { get; }

    /// <summary>The running task, or null inside an actor method: its calls to actors are forgotten when it ends.</summary>
    ObjectId? TaskId { get; }

    /// <summary>The running task's cancellation (null inside an actor method): the tasks it submits are recorded there.</summary>
    TaskCancellation? Cancellation { get; }
}

/// <summary>The execution scope of the code running on this async flow (null outside a task or actor method).</summary>
internal static class ExecutionScope
{
    private static readonly AsyncLocal<IExecutionScope?> CurrentScope = new();

    public static IExecutionScope? Current
    {
        get => CurrentScope.Value;
        set => CurrentScope.Value = value;
    }

    /// <summary>Gives the running task's CPU back while it blocks, if code runs in a task at all.</summary>
    public static IDisposable? EnterBlocked() => CurrentScope.Value?.EnterBlocked();
}
