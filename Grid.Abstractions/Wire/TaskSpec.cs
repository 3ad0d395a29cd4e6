namespace Grid.Wire;

/// <summary>Everything a node needs to run one task; its result gets the id <see cref="TaskId"/>.</summary>
[GenerateSerializer, Immutable]
internal sealed class TaskSpec
{
    [Id(0)] public required ObjectId TaskId { get; init; }
    [Id(1)] public required JobId Job { get; init; }
    [Id(2)] public required FunctionDescriptor Function { get; init; }
    [Id(3)] public required TaskArg[] Args { get; init; }
    [Id(4)] public required ResourceSet Resources { get; init; }
    [Id(5)] public string? Name { get; init; }
    /// <summary>The owner endpoint of the submitting process (it owns the result).</summary>
    [Id(6)] public required GrainId Owner { get; init; }
    [Id(7)] public int Attempt { get; init; }
    /// <summary>Nodes that refused the task for lack of resources (spillback), so it is not bounced back.</summary>
    [Id(8)] public int SpillCount { get; init; }
    /// <summary>
    /// Payloads of refs nested inside the arguments that the submitter owns, so the node running the
    /// task can get them without calling back into the submitter (a client is costly to reach).
    /// </summary>
    [Id(9)] public BorrowedObject[]? Borrowed { get; init; }
    /// <summary>Where the task may run; null is the default hybrid policy.</summary>
    [Id(10)] public SchedulingStrategy? Scheduling { get; init; }
    /// <summary>How the node runs the task again when it throws; null (the default) retries no exception.</summary>
    [Id(11)] public RetryPolicy? Retry { get; init; }
    /// <summary>
    /// How many objects the task's value is split into: 0 (the default) is none, the whole value is the task's one
    /// return. From 1 on, return i is element i, with the id <see cref="ObjectId.ForReturn"/>(<see cref="TaskId"/>, i),
    /// and the outcome lists every return's payload (<see cref="ObjectPayload.Returns"/>).
    /// </summary>
    [Id(12)] public int NumReturns { get; init; }
    /// <summary>Set when the task is called as a stream (its function returns a sequence): see <see cref="StreamSpec"/>.</summary>
    [Id(20)] public StreamSpec? Stream { get; init; }

    /// <summary>A copy with some fields replaced.</summary>
    public TaskSpec With(TaskArg[]? args = null, int? attempt = null, int? spillCount = null, BorrowedObject[]? borrowed = null, ResourceSet? resources = null) => new()
    {
        TaskId = TaskId, Job = Job, Function = Function, Args = args ?? Args, Resources = resources ?? Resources, Name = Name, Owner = Owner,
        Attempt = attempt ?? Attempt, SpillCount = spillCount ?? SpillCount, Borrowed = borrowed ?? Borrowed, Scheduling = Scheduling,
        Retry = Retry, NumReturns = NumReturns, Stream = Stream,
    };

    public string DisplayName => Name ?? Function.DisplayName;
}

/// <summary>A nested ref's payload, shipped with a task by the ref's owner.</summary>
[GenerateSerializer, Immutable]
internal sealed record BorrowedObject([property: Id(0)] ObjectId Id, [property: Id(1)] ObjectPayload Payload);
