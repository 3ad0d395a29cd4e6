using Grid.Core;

namespace Grid;

/// <summary>
/// What a running task or actor method knows about where it runs: the grid to submit more work to,
/// the node, job, task or actor, and its assigned GPUs. <c>GridContext.Current</c> inside remote code.
/// </summary>
public sealed class GridContext : IExecutionScope
{
    internal GridContext(GridClient grid, NodeId nodeId, JobId jobId, ObjectId? taskId, ActorId? actorId,
        IReadOnlyList<int> gpuIds, Func<IDisposable>? enterBlocked = null)
    {
        Grid = grid;
        NodeId = nodeId;
        JobId = jobId;
        TaskId = taskId;
        ActorId = actorId;
        GpuIds = gpuIds;
        _enterBlocked = enterBlocked;
    }

    private readonly Func<IDisposable>? _enterBlocked;

    /// <summary>The grid, for submitting tasks, calling actors and getting objects from remote code.</summary>
    public GridClient Grid { get; }
    public NodeId NodeId { get; }
    public JobId JobId { get; }
    /// <summary>The running task's id (its result's object id); null inside an actor method.</summary>
    public ObjectId? TaskId { get; }
    public ActorId? ActorId { get; }
    /// <summary>The GPU ids this task or actor holds exclusively (fractional requests share one).</summary>
    public IReadOnlyList<int> GpuIds { get; }

    /// <summary>The context of the running task or actor method.</summary>
    public static GridContext Current => ExecutionScope.Current as GridContext ?? throw new InvalidOperationException(
        "GridContext.Current is only set inside a Grid task or actor method; outside one, use your GridClient.");

    public static GridContext? TryGetCurrent() => ExecutionScope.Current as GridContext;

    /// <summary>Sets the context for the code that runs next on this async flow (used by the node runtime).</summary>
    internal static void Set(GridContext? context) => ExecutionScope.Current = context;

    IDisposable? IExecutionScope.EnterBlocked() => _enterBlocked?.Invoke();

    private string? _callerKey;

    string IExecutionScope.CallerKey => _callerKey ??= TaskId is { } task ? $"task {task}" : $"actor {ActorId}";
}
