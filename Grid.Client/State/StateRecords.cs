namespace Grid.State;

// The records of the head's state API (Ray's state API: `ray list`, `ray summary`, the dashboard's data), as JSON with
// System.Text.Json's web defaults (camelCase names). The head's web service writes them; GridStateClient, `grid list`
// and the dashboard page read them. States are upper-case strings as Ray writes them: nodes ALIVE|DEAD; actors
// PENDING|ALIVE|RESTARTING|DEAD; tasks PENDING|RUNNING|FINISHED|FAILED; placement groups PENDING|CREATED|REMOVED;
// jobs PENDING|RUNNING|SUCCEEDED|FAILED|STOPPED.

/// <summary>One page of a listing. <see cref="Total"/> counts every match of the filters, not only this page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

/// <summary>An amount of a resource in use and its total (CPU, GPU, memory or a custom resource).</summary>
public sealed record ResourceUse(double Used, double Total);

/// <summary>The cluster at a glance (the dashboard's overview, <c>GET /api/cluster</c>).</summary>
public sealed record ClusterOverview
{
    /// <summary>The cluster's address (its Redis, HOST:PORT), what drivers and workers connect to.</summary>
    public required string Address { get; init; }
    public int NodesAlive { get; init; }
    public int NodesDead { get; init; }
    /// <summary>Resources of the alive nodes, summed, by name (CPU, GPU, custom).</summary>
    public IReadOnlyDictionary<string, ResourceUse> Resources { get; init; } = new Dictionary<string, ResourceUse>();
    /// <summary>Tasks by state, exact (counted on the nodes, not limited by how many task records are kept).</summary>
    public IReadOnlyDictionary<string, long> TasksByState { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, int> ActorsByState { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, int> JobsByState { get; init; } = new Dictionary<string, int>();
    public int PlacementGroups { get; init; }
    public long ObjectStoreUsedBytes { get; init; }
    public long ObjectStoreCapacityBytes { get; init; }
    public long ObjectStoreSpilledBytes { get; init; }
    /// <summary>Tasks that finished (or failed) per second over the last sample interval, cluster-wide.</summary>
    public double TasksFinishedPerSecond { get; init; }
    public DateTimeOffset Time { get; init; }
}

/// <summary>A node (<c>GET /api/nodes</c>, <c>grid list nodes</c>). Live figures are null for a dead node or one that did not answer.</summary>
public sealed record NodeView
{
    public required string NodeId { get; init; }
    public required string State { get; init; }
    public bool IsHead { get; init; }
    /// <summary>The node's gateway address (HOST:PORT).</summary>
    public string Address { get; init; } = "";
    public string HostName { get; init; } = "";
    public IReadOnlyDictionary<string, ResourceUse> Resources { get; init; } = new Dictionary<string, ResourceUse>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>CPU use of the node's process, in percent of one core (200 = two cores busy).</summary>
    public double? CpuPercent { get; init; }
    /// <summary>Resident memory of the node's process.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>CPU use of the whole machine, in percent of all its cores (0–100).</summary>
    public double? MachineCpuPercent { get; init; }
    public long? MachineMemoryUsedBytes { get; init; }
    public long? MachineMemoryTotalBytes { get; init; }
    public long? ObjectStoreUsedBytes { get; init; }
    public long? ObjectStoreCapacityBytes { get; init; }
    public long? ObjectStoreSpilledBytes { get; init; }
    public int QueuedTasks { get; init; }
    public IReadOnlyList<string> PendingReasons { get; init; } = [];
    /// <summary>The node process's id on its machine.</summary>
    public int? Pid { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset LastHeartbeat { get; init; }
    /// <summary>The node's Prometheus endpoint (http://HOST:PORT/metrics); null when it serves none.</summary>
    public string? MetricsUrl { get; init; }
}

/// <summary>An actor (<c>GET /api/actors</c>, <c>grid list actors</c>).</summary>
public sealed record ActorView
{
    public required string ActorId { get; init; }
    public required string ClassName { get; init; }
    public string? Name { get; init; }
    public string Namespace { get; init; } = "";
    public required string State { get; init; }
    public string? NodeId { get; init; }
    public required string JobId { get; init; }
    public IReadOnlyDictionary<string, double> Resources { get; init; } = new Dictionary<string, double>();
    public int RestartCount { get; init; }
    /// <summary>-1: unlimited.</summary>
    public int MaxRestarts { get; init; }
    public bool Detached { get; init; }
    /// <summary>
    /// The pid-equivalent: actors run in their node's process, so this is that process's id (null while not placed).
    /// </summary>
    public int? Pid { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? DiedAt { get; init; }
    public string? DeathCause { get; init; }
    public string? PendingReason { get; init; }
}

/// <summary>A task (<c>GET /api/tasks</c>, <c>grid list tasks</c>): the newest records each node keeps (bounded per node).</summary>
public sealed record TaskView
{
    public required string TaskId { get; init; }
    /// <summary>The function's name (Type.Method).</summary>
    public required string Name { get; init; }
    public required string State { get; init; }
    public required string NodeId { get; init; }
    public required string JobId { get; init; }
    /// <summary>0 for the first run; counts retries and resubmits after a node's death.</summary>
    public int Attempt { get; init; }
    /// <summary>When the task reached the node (queued for its dependencies or resources).</summary>
    public DateTimeOffset QueuedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? Error { get; init; }
}

/// <summary>A stored object copy (<c>GET /api/objects</c>, <c>grid list objects</c>; Ray's memory summary rows).</summary>
public sealed record ObjectView
{
    public required string ObjectId { get; init; }
    public required string NodeId { get; init; }
    public long SizeBytes { get; init; }
    public string? Owner { get; init; }
    public bool Spilled { get; init; }
    /// <summary>The owner's reference counts; null when the owner did not answer.</summary>
    public int? LocalRefs { get; init; }
    public int? SubmittedRefs { get; init; }
    public int? Borrowers { get; init; }
}

/// <summary>A placement group (<c>GET /api/placement-groups</c>).</summary>
public sealed record PlacementGroupView
{
    public required string PlacementGroupId { get; init; }
    public string? Name { get; init; }
    public required string State { get; init; }
    public required string Strategy { get; init; }
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Bundles { get; init; } = [];
    /// <summary>The node of each bundle, in bundle order (null: not placed).</summary>
    public IReadOnlyList<string?> BundleNodes { get; init; } = [];
    public string? PendingReason { get; init; }
}

/// <summary>
/// A job (<c>GET /api/jobs</c>, <c>grid list jobs</c>): a submitted job (Type SUBMISSION, with a submission id, run by
/// the head) or a driver that connected by itself (Type DRIVER). A submitted job's driver also connects: the row then
/// carries both ids.
/// </summary>
public sealed record JobView
{
    /// <summary>The id of the submission (<c>grid job submit</c>); null for a driver that connected by itself.</summary>
    public string? SubmissionId { get; init; }
    /// <summary>The driver's job id once it has connected; null before that (and for a job that never connected).</summary>
    public string? JobId { get; init; }
    /// <summary>SUBMISSION or DRIVER.</summary>
    public required string Type { get; init; }
    public required string Status { get; init; }
    /// <summary>The submitted command line, or the driver's description (host:pid (entry assembly)).</summary>
    public string Entrypoint { get; init; } = "";
    public string? Message { get; init; }
    public int? ExitCode { get; init; }
    public string? Namespace { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
}

/// <summary>Counts by state, per name (<c>grid summary tasks|actors|objects</c>, <c>GET /api/summary/{kind}</c>).</summary>
public sealed record StateSummary
{
    /// <summary>tasks, actors or objects.</summary>
    public required string Kind { get; init; }
    public IReadOnlyDictionary<string, long> ByState { get; init; } = new Dictionary<string, long>();
    /// <summary>One row per function, actor class, or (objects) per node; newest-first order is not implied.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; init; } = [];
    /// <summary>Tasks: records dropped from the nodes' bounded stores (their counts are still in ByState and Rows).</summary>
    public long Dropped { get; init; }
}

/// <summary>A row of a summary: a name and its counts by state. Objects: Name is the node, ByState holds COUNT, BYTES and SPILLED_BYTES.</summary>
public sealed record SummaryRow(string Name, IReadOnlyDictionary<string, long> ByState)
{
    public long Total => ByState.Values.Sum();
}

/// <summary>One sample of a node's use (<c>GET /api/history</c>; the dashboard's charts).</summary>
public sealed record NodeSample(DateTimeOffset Time, double? CpuPercent, long? MemoryBytes, double? MachineCpuPercent, long? MachineMemoryUsedBytes, long? ObjectStoreUsedBytes);

/// <summary>One sample of the cluster's task flow.</summary>
public sealed record TaskRateSample(DateTimeOffset Time, double FinishedPerSecond, long Running, long Pending);

/// <summary>The last minutes of samples, one a second at most (<c>GET /api/history?minutes=5</c>).</summary>
public sealed record ClusterHistory
{
    public IReadOnlyDictionary<string, IReadOnlyList<NodeSample>> Nodes { get; init; } = new Dictionary<string, IReadOnlyList<NodeSample>>();
    public IReadOnlyList<TaskRateSample> Tasks { get; init; } = [];
}

/// <summary>The body of every error answer of the web service (4xx, 5xx): what went wrong and what to do.</summary>
public sealed record ApiError(string Error);
