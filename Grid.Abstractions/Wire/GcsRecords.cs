namespace Grid.Wire;

internal enum JobStatus : byte { Running, Succeeded, Failed, Stopped }

/// <summary>A job: one connected driver (client) and the code package its tasks and actors run against.</summary>
[GenerateSerializer, Immutable]
internal sealed record JobInfo
{
    [Id(0)] public required JobId JobId { get; init; }
    /// <summary>Who drives the job, e.g. "host:pid (entry assembly)".</summary>
    [Id(1)] public required string Driver { get; init; }
    /// <summary>Content hash of the job's code package; null when the job ships no code (embedded mode).</summary>
    [Id(2)] public string? CodePackage { get; init; }
    [Id(3)] public JobStatus Status { get; init; }
    [Id(4)] public DateTimeOffset StartTime { get; init; }
    [Id(5)] public DateTimeOffset? EndTime { get; init; }
    /// <summary>The job's namespace (GridClientOptions.Namespace): where its actors' names live unless they give another.</summary>
    [Id(6)] public string Namespace { get; init; } = DefaultNamespace;
    /// <summary>The namespace of a job that names none (Ray's is anonymous; Grid's is shared).</summary>
    public const string DefaultNamespace = "default";
    /// <summary>
    /// The job's environment variables (GridClientOptions.Environment), read by nodes once per job and shown to its
    /// tasks and actors as GridContext.Environment. Values may be secrets: never log them.
    /// </summary>
    [Id(7)] public Dictionary<string, string>? Environment { get; init; }
    /// <summary>
    /// The driver's owner endpoint (the owner of its objects). A job with an owner renews a lease in the GCS while its
    /// client lives; when the lease runs out the job is marked failed and its objects, borrows and actors go.
    /// </summary>
    [Id(20)] public GrainId? Owner { get; init; }
    /// <summary>
    /// The submission (<see cref="SubmittedJobInfo.Id"/>) whose driver this is: set by a client started by a head's job
    /// supervisor (GRID_SUBMISSION_ID in its environment), so stopping the submission ends this job; null otherwise.
    /// </summary>
    [Id(21)] public string? SubmissionId { get; init; }
}

/// <summary>Where copies of a large object live (the object directory), and how big it is.</summary>
[GenerateSerializer, Immutable]
internal sealed record ObjectLocations
{
    [Id(0)] public required ObjectId ObjectId { get; init; }
    [Id(1)] public required long Size { get; init; }
    [Id(2)] public required NodeId[] Nodes { get; init; }
}

/// <summary>What a task event records; <see cref="Retried"/>: the task threw an exception it retries, and runs again.</summary>
internal enum TaskEventKind : byte { Submitted, Scheduled, Running, Finished, Failed, Retried }

/// <summary>One state change of a task, written to the GCS in batches (never one write per task).</summary>
[GenerateSerializer, Immutable]
internal sealed record TaskEvent
{
    [Id(0)] public required ObjectId TaskId { get; init; }
    [Id(1)] public required JobId Job { get; init; }
    [Id(2)] public required string Function { get; init; }
    [Id(3)] public required TaskEventKind Kind { get; init; }
    [Id(4)] public NodeId? Node { get; init; }
    [Id(5)] public DateTimeOffset Time { get; init; }
    [Id(6)] public string? Error { get; init; }
    /// <summary>Which run of the task this is about: 0 the first, counting node-death resubmits and exception retries.</summary>
    [Id(7)] public int Attempt { get; init; }
}
