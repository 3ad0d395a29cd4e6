using Grid.Core;

namespace Grid;

/// <summary>
/// What a running task or actor method knows about where it runs (Ray's runtime context): the grid to submit more
/// work to, the node, job, task or actor, its assigned resources and GPUs, which attempt this run is, and the job's
/// environment. <c>GridContext.Current</c> inside remote code.
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

    /// <summary>A copy for another attempt of the same run (an exception retry).</summary>
    private GridContext(GridContext source, int attempt)
        : this(source.Grid, source.NodeId, source.JobId, source.TaskId, source.ActorId, source.GpuIds, source._enterBlocked)
    {
        Attempt = attempt;
        _resources = source._resources;
        _assigned = source._assigned;
        Environment = source.Environment;
        Cancellation = source.Cancellation;
        _callerKey = source._callerKey;
    }

    private readonly Func<IDisposable>? _enterBlocked;
    private readonly ResourceSet? _resources;
    private IReadOnlyDictionary<string, double>? _assigned;

    /// <summary>The grid, for submitting tasks, calling actors and getting objects from remote code.</summary>
    public GridClient Grid { get; }
    public NodeId NodeId { get; }
    public JobId JobId { get; }
    /// <summary>The running task's id (its result's object id); null inside an actor method.</summary>
    public ObjectId? TaskId { get; }
    public ActorId? ActorId { get; }
    /// <summary>The GPU ids this task or actor holds exclusively (fractional requests share one).</summary>
    public IReadOnlyList<int> GpuIds { get; }

    /// <summary>
    /// Which run of this task or actor call this is: 0 the first, then one more per run again — a task resubmitted
    /// because its node died (<see cref="TaskOptions.MaxRetries"/>), or a task or call retried because it threw
    /// (<see cref="TaskOptions.RetryExceptions"/>, <see cref="ActorCallOptions"/>). An actor call counts its exception
    /// retries only (a call resent to a restarted actor starts at 0 there).
    /// </summary>
    public int Attempt { get; internal init; }

    /// <summary>True when this is not the first run (<see cref="Attempt"/> &gt; 0).</summary>
    public bool WasRetried => Attempt > 0;

    /// <summary>
    /// The resources this task or actor holds on its node, by name ("CPU", "GPU", "memory", custom ones; a placement
    /// group's bundle resources under their bundle names), as Ray's <c>get_assigned_resources()</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> AssignedResources =>
        _assigned ??= _resources is null ? EmptyResources : _resources.ToDictionary();

    /// <summary>
    /// The job's environment variables (<c>GridClientOptions.Environment</c>), as Ray's <c>runtime_env={"env_vars": …}</c>.
    /// Unlike Ray, they are not set in the process: a node runs many jobs' tasks in one process, so each job reads its
    /// own here (empty in the embedded mode, whose one job runs in your process).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; internal init; } = EmptyEnvironment;

    /// <summary>The resources assigned, when known (the node gives the task's or actor's lease).</summary>
    internal ResourceSet? Resources { init => _resources = value; }

    /// <summary>
    /// Cancelled when the running task is cancelled (<see cref="GridClient.CancelAsync"/>): check it, or pass it on to
    /// what the task awaits. None inside an actor method: take a CancellationToken parameter there instead (each call
    /// has its own).
    /// </summary>
    public CancellationToken CancellationToken => Cancellation?.Token ?? CancellationToken.None;

    /// <summary>The running task's cancellation (null inside an actor method).</summary>
    internal TaskCancellation? Cancellation { get; init; }

    TaskCancellation? IExecutionScope.Cancellation => Cancellation;

    internal GridContext ForAttempt(int attempt) => attempt == Attempt ? this : new GridContext(this, attempt);

    internal static readonly IReadOnlyDictionary<string, string> EmptyEnvironment = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, double> EmptyResources = new Dictionary<string, double>();

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
