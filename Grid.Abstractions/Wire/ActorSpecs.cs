namespace Grid.Wire;

/// <summary>How to build an actor: its class's constructor and arguments, and what it reserves.</summary>
[GenerateSerializer, Immutable]
internal sealed class ActorCreationSpec
{
    [Id(0)] public required ActorId ActorId { get; init; }
    [Id(1)] public required JobId Job { get; init; }
    [Id(2)] public required FunctionDescriptor Constructor { get; init; }
    [Id(3)] public required TaskArg[] Args { get; init; }
    [Id(4)] public required ResourceSet Resources { get; init; }
    [Id(5)] public string? Name { get; init; }
    [Id(6)] public string Namespace { get; init; } = "default";
    /// <summary>The default group's limit; 0 lets the node apply Ray's rule (1000 for an async actor, else 1).</summary>
    [Id(7)] public int MaxConcurrency { get; init; }
    [Id(8)] public required GrainId Owner { get; init; }
    [Id(9)] public required string ClassName { get; init; }
    /// <summary>Where the actor may live; null is the default hybrid policy.</summary>
    [Id(10)] public SchedulingStrategy? Scheduling { get; init; }
    /// <summary>Payloads of refs nested in the arguments that the creator owns (see <see cref="TaskSpec.Borrowed"/>).</summary>
    [Id(11)] public BorrowedObject[]? Borrowed { get; init; }
    /// <summary>Which incarnation this builds: 0 first, then the actor's restart count (see <see cref="ActorCallSpec.Incarnation"/>).</summary>
    [Id(12)] public int Incarnation { get; init; }
    /// <summary>See ActorOptions.MaxRestarts.</summary>
    [Id(13)] public int MaxRestarts { get; init; }
    /// <summary>Concurrency groups given in ActorOptions (added to those the class declares).</summary>
    [Id(14)] public Dictionary<string, int>? ConcurrencyGroups { get; init; }

    /// <summary>A copy with <paramref name="args"/> (resolved by the creator) and <paramref name="borrowed"/>, where given.</summary>
    public ActorCreationSpec With(TaskArg[]? args = null, BorrowedObject[]? borrowed = null) => args is null && borrowed is null ? this : Copy(args ?? Args, borrowed ?? Borrowed, Incarnation);

    /// <summary>A copy that builds incarnation <paramref name="incarnation"/> (a restart), without borrowed payloads.</summary>
    public ActorCreationSpec ForIncarnation(int incarnation) => Copy(Args, null, incarnation);

    private ActorCreationSpec Copy(TaskArg[] args, BorrowedObject[]? borrowed, int incarnation) => new()
    {
        ActorId = ActorId, Job = Job, Constructor = Constructor, Args = args, Resources = Resources, Name = Name, Namespace = Namespace,
        MaxConcurrency = MaxConcurrency, Owner = Owner, ClassName = ClassName, Scheduling = Scheduling, Borrowed = borrowed,
        Incarnation = incarnation, MaxRestarts = MaxRestarts, ConcurrencyGroups = ConcurrencyGroups,
    };
}

/// <summary>
/// One actor method call. <see cref="CallerId"/> and <see cref="Sequence"/> give per-caller
/// submission order, which Orleans itself does not guarantee.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class ActorCallSpec
{
    [Id(0)] public required ActorId ActorId { get; init; }
    [Id(1)] public required string CallerId { get; init; }
    [Id(2)] public required long Sequence { get; init; }
    [Id(3)] public required FunctionDescriptor Method { get; init; }
    [Id(4)] public required TaskArg[] Args { get; init; }
    [Id(5)] public required ObjectId ResultId { get; init; }
    [Id(6)] public required GrainId Owner { get; init; }
    [Id(7)] public required JobId Job { get; init; }
    /// <summary>Set when an argument failed before the call was sent: the call takes its turn, then fails with it.</summary>
    [Id(8)] public ObjectPayload? FailedDependency { get; init; }
    /// <summary>Payloads of refs nested in the arguments that the caller owns (see <see cref="TaskSpec.Borrowed"/>).</summary>
    [Id(9)] public BorrowedObject[]? Borrowed { get; init; }
    /// <summary>
    /// The incarnation of the actor the caller numbered this call for: sequence numbers count from 1 in each
    /// incarnation, so a host refuses (as unavailable, without running it) a call meant for another one.
    /// </summary>
    [Id(10)] public int Incarnation { get; init; }
    /// <summary>
    /// Every call of this caller to this incarnation numbered up to here has its answer at the caller: the host may forget
    /// those outcomes. It keeps the others, so that a call sent again (its answer was cut in transit) gets the same
    /// outcome instead of running twice.
    /// </summary>
    [Id(11)] public long AnsweredThrough { get; init; }
    /// <summary>
    /// Callers of this process (ids as in <see cref="CallerId"/>) that ended with every call answered: the host forgets
    /// their turns. Each task is a caller of its own, so without this a host would keep one entry per task that called it.
    /// </summary>
    [Id(12)] public string[]? RetiredCallers { get; init; }
    /// <summary>What the call's <see cref="ActorCallOptions"/> set about retrying exceptions; null: the method's attribute decides.</summary>
    [Id(14)] public RetryPolicy? Retry { get; init; }
    /// <summary>The concurrency group the call runs in, overriding its method's (ActorCallOptions.ConcurrencyGroup); null: the method's.</summary>
    [Id(13)] public string? ConcurrencyGroup { get; init; }
    /// <summary>Set when the method is called as a stream (it returns a sequence): see <see cref="StreamSpec"/>.</summary>
    [Id(20)] public StreamSpec? Stream { get; init; }
}
