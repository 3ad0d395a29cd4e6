using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// What a node tells the head's web service about itself (the dashboard, the state API): its live figures and the
/// task records it keeps. One per silo, pinned to it and keyed by the node id, like <see cref="INodeJobsGrain"/>.
/// Both calls are cheap reads of state the node keeps anyway; the head calls them about once a second per node.
/// </summary>
internal interface INodeStateGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<NodeStats> GetStats();

    /// <summary>
    /// The newest task records this node keeps (bounded: <c>GridNodeOptions.TaskRecordCapacity</c>), newest first,
    /// those matching every filter given (null: any), at most <paramref name="limit"/>.
    /// </summary>
    [AlwaysInterleave]
    Task<TaskRecord[]> GetTasks(TaskRecordState? state, JobId? job, string? name, int limit);
}

/// <summary>A task's state on the node that ran it (Ray's task states, fewer of them).</summary>
internal enum TaskRecordState : byte
{
    /// <summary>On the node, waiting for its arguments or for resources.</summary>
    Pending,
    Running,
    Finished,
    Failed,
}

/// <summary>A task as its node last saw it: one record per task attempt, updated in place as it moves on.</summary>
[GenerateSerializer, Immutable]
internal sealed record TaskRecord
{
    [Id(0)] public required ObjectId TaskId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required TaskRecordState State { get; init; }
    [Id(3)] public required JobId Job { get; init; }
    [Id(4)] public int Attempt { get; init; }
    [Id(5)] public DateTimeOffset QueuedAt { get; init; }
    [Id(6)] public DateTimeOffset? StartedAt { get; init; }
    [Id(7)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>The failure's message (type and text), for a failed task.</summary>
    [Id(8)] public string? Error { get; init; }
}

/// <summary>A node's live figures, read when asked (nothing here is stored in the GCS).</summary>
[GenerateSerializer, Immutable]
internal sealed record NodeStats
{
    [Id(0)] public required NodeId NodeId { get; init; }
    [Id(1)] public int Pid { get; init; }
    [Id(2)] public DateTimeOffset StartTime { get; init; }
    /// <summary>CPU use of the node's process since the previous sample, in percent of one core.</summary>
    [Id(3)] public double CpuPercent { get; init; }
    /// <summary>Resident memory of the node's process (working set).</summary>
    [Id(4)] public long MemoryBytes { get; init; }
    /// <summary>CPU use of the machine since the previous sample, 0–100 (of all cores; /proc/stat on Linux; null where unknown).</summary>
    [Id(5)] public double? MachineCpuPercent { get; init; }
    [Id(6)] public long? MachineMemoryUsedBytes { get; init; }
    [Id(7)] public long? MachineMemoryTotalBytes { get; init; }
    [Id(8)] public long ObjectStoreUsedBytes { get; init; }
    [Id(9)] public long ObjectStoreCapacityBytes { get; init; }
    [Id(10)] public long ObjectStoreSpilledBytes { get; init; }
    /// <summary>The node's Prometheus endpoint, e.g. http://10.0.0.5:41234/metrics; null when it serves none.</summary>
    [Id(11)] public string? MetricsUrl { get; init; }
    /// <summary>
    /// Every task this node has seen since it started, by function name and state, exact (a task counts once, in its
    /// latest state; not limited by the records kept). Each array is indexed by (int)<see cref="TaskRecordState"/>.
    /// </summary>
    [Id(12)] public Dictionary<string, long[]> TaskCountsByName { get; init; } = [];
    /// <summary>Tasks that finished or failed here since the node started (the head differences it into a rate).</summary>
    [Id(13)] public long TasksEnded { get; init; }
    /// <summary>Records dropped from the bounded store (oldest ended first).</summary>
    [Id(14)] public long TaskRecordsDropped { get; init; }
    /// <summary>True on the node that serves the head's web service (the head node).</summary>
    [Id(15)] public bool IsHead { get; init; }
}
