namespace Grid;

/// <summary>
/// Per-call options of a remote function, as Ray's <c>.options(...)</c>. Ray's defaults: a task
/// needs 1 CPU, a task whose node dies is retried 3 times, and a task that throws is not retried.
/// </summary>
public sealed record TaskOptions
{
    public static readonly TaskOptions Default = new();

    public double NumCpus { get; init; } = 1;
    /// <summary>GPUs, fractional below 1 (0.5 shares a GPU with another 0.5 request), whole above.</summary>
    public double NumGpus { get; init; }
    /// <summary>Memory in bytes the task reserves on its node (a scheduling amount, not a limit).</summary>
    public double Memory { get; init; }
    /// <summary>Custom resources, e.g. <c>{ ["accelerator"] = 1 }</c>; <c>["node:&lt;id&gt;"] = 0.01</c> pins to a node.</summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }
    /// <summary>Where the task may run; null is the default hybrid policy. See <see cref="SchedulingStrategy"/>.</summary>
    public SchedulingStrategy? Scheduling { get; init; }
    /// <summary>
    /// How often a task is run again (Ray's <c>max_retries</c>): when its node dies, and when it throws an exception
    /// that <see cref="RetryExceptions"/> retries; one budget for both, -1 retries forever.
    /// </summary>
    public int MaxRetries { get; init; } = 3;
    /// <summary>
    /// Which exceptions the task's code throws make it run again, within <see cref="MaxRetries"/> (Ray's
    /// <c>retry_exceptions</c>); null or <see cref="Grid.RetryExceptions.None"/> (the default) retries none.
    /// </summary>
    public RetryExceptions? RetryExceptions { get; init; }
    /// <summary>A name for logs, errors and status; defaults to the method's name.</summary>
    public string? Name { get; init; }
    /// <summary>
    /// How many objects the task returns (Ray's <c>num_returns</c>), at least 1 (the default: one ref to the whole
    /// result). Above 1, call <c>RemoteMany</c> on a function returning an array, list or sequence of exactly that
    /// many elements: each element is an object of its own, with its own ref.
    /// </summary>
    public int NumReturns
    {
        get => _numReturns;
        init => _numReturns = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(NumReturns), value, "TaskOptions.NumReturns must be at least 1 (1, the default, is one ref to the whole result).");
    }

    private readonly int _numReturns = 1;

    /// <summary>
    /// For a task called as a stream (<c>RemoteStream</c>): the most items it produces ahead of the consumer (Ray's
    /// <c>_generator_backpressure_num_objects</c>); it pauses until the consumer takes one. Null or 0 or less (the
    /// default): unbounded, as in Ray.
    /// </summary>
    public int? GeneratorBackpressure { get; init; }

    public ResourceSet ToResourceSet() => ResourceRequest.Build(NumCpus, NumGpus, Memory, Resources);
}

/// <summary>
/// Options of an actor. Ray's defaults: an actor holds no CPU while it lives (it needs 1 CPU only to
/// be scheduled) and runs one method at a time. What it declares it holds for its whole life.
/// </summary>
public sealed record ActorOptions
{
    public static readonly ActorOptions Default = new();

    public double NumCpus { get; init; }
    public double NumGpus { get; init; }
    /// <summary>Memory in bytes the actor reserves on its node for its lifetime.</summary>
    public double Memory { get; init; }
    public IReadOnlyDictionary<string, double>? Resources { get; init; }
    /// <summary>Where the actor may live; null is the default hybrid policy. See <see cref="SchedulingStrategy"/>.</summary>
    public SchedulingStrategy? Scheduling { get; init; }
    /// <summary>A name under which other clients find the actor with GetActorAsync; unique within its <see cref="Namespace"/>.</summary>
    public string? Name { get; init; }
    /// <summary>
    /// The namespace the actor's <see cref="Name"/> lives in (Ray's <c>namespace</c> option): the same name in two
    /// namespaces is two actors. Null (the default) is the creating job's namespace (<c>GridClientOptions.Namespace</c>,
    /// "default" unless set), also for code running in a task or actor of that job. Must not be empty or blank.
    /// </summary>
    public string? Namespace { get; init; }
    /// <summary>
    /// How many methods of the default concurrency group may be in progress at once; null (the default) is Ray's rule:
    /// 1000 for an async actor (its class has a method returning Task or ValueTask), 1 for the others. An async actor
    /// runs its methods on its own event loop: one piece of its code at a time, methods interleaving where they
    /// await. Another actor with a limit above 1 runs that many methods in parallel, on pool threads (Ray's threaded
    /// actors). 1 runs them one at a time in submission order.
    /// </summary>
    public int? MaxConcurrency { get; init; }
    /// <summary>
    /// Concurrency groups by name and limit (Ray's <c>concurrency_groups</c>), added to those the class declares with
    /// <see cref="ConcurrencyGroupAttribute"/> (a name given in both takes this limit).
    /// </summary>
    public IReadOnlyDictionary<string, int>? ConcurrencyGroups { get; init; }
    /// <summary>
    /// Whether the actor dies with its owner (the default: its job ends, also when its client crashes; or the actor that
    /// created it dies for good) or outlives them (Ray's lifetime="detached"): a detached actor lives until it is killed or
    /// its node dies.
    /// </summary>
    public ActorLifetime Lifetime { get; init; }
    /// <summary>
    /// How often the actor is rebuilt (its constructor run again, state reset) when it dies with its node or is
    /// killed with <c>noRestart: false</c>; 0 (Ray's default) never, -1 forever. A named actor keeps its name.
    /// </summary>
    public int MaxRestarts { get; init; }
    /// <summary>
    /// How often a call that was in flight when the actor died is sent again to the restarted actor; 0 (Ray's
    /// default) fails it with ActorDiedException, -1 resends forever. Resent calls keep each caller's order.
    /// </summary>
    public int MaxTaskRetries { get; init; }

    public ResourceSet ToResourceSet() => ResourceRequest.Build(NumCpus, NumGpus, Memory, Resources);

    /// <summary>Throws for options Grid cannot honour, naming the option and what to use instead.</summary>
    public void Validate()
    {
        if (MaxConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "ActorOptions.MaxConcurrency must be at least 1 (or null for Ray's default).");
        foreach (var (name, limit) in ConcurrencyGroups ?? new Dictionary<string, int>())
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("ActorOptions.ConcurrencyGroups has a group with an empty name; name each group.", nameof(ConcurrencyGroups));
            if (limit < 1) throw new ArgumentOutOfRangeException(nameof(ConcurrencyGroups), limit, $"ActorOptions.ConcurrencyGroups[\"{name}\"] must be at least 1.");
        }
        if (Namespace is not null && string.IsNullOrWhiteSpace(Namespace)) throw new ArgumentException("ActorOptions.Namespace must not be empty or blank; leave it null for the job's namespace.", nameof(Namespace));
        if (MaxRestarts < -1) throw new ArgumentOutOfRangeException(nameof(MaxRestarts), MaxRestarts, "ActorOptions.MaxRestarts must be -1 (restart forever), 0 (never) or a positive count.");
        if (MaxTaskRetries < -1) throw new ArgumentOutOfRangeException(nameof(MaxTaskRetries), MaxTaskRetries, "ActorOptions.MaxTaskRetries must be -1 (resend forever), 0 (never) or a positive count.");
    }
}

/// <summary>How long an actor lives (Ray's <c>lifetime</c> option).</summary>
public enum ActorLifetime : byte
{
    /// <summary>
    /// The actor dies with its owner: the job that created it (its client disposed, or died), or, for an actor created by
    /// another actor's code, also that actor when it dies for good (killed with noRestart, or dead with no restarts left).
    /// </summary>
    Job,
    /// <summary>The actor outlives its job and its creating actor; find it by name and kill it when done.</summary>
    Detached,
}

public static class ResourceRequest
{
    public static ResourceSet Build(double cpus, double gpus, IReadOnlyDictionary<string, double>? custom) => Build(cpus, gpus, 0, custom);

    /// <summary>Checks a request the way Ray does and turns it into a resource set.</summary>
    public static ResourceSet Build(double cpus, double gpus, double memory, IReadOnlyDictionary<string, double>? custom)
    {
        if (gpus > 1 && Math.Abs(gpus - Math.Round(gpus)) > 1e-9)
            throw new ArgumentOutOfRangeException(nameof(gpus), $"NumGpus = {gpus}: a request above 1 GPU must be a whole number (fractions share one GPU, so use at most 1).");
        var list = new List<KeyValuePair<string, double>>
        {
            KeyValuePair.Create(ResourceSet.Cpu, cpus),
            KeyValuePair.Create(ResourceSet.Gpu, gpus),
            KeyValuePair.Create(ResourceSet.Memory, memory),
        };
        if (custom is not null) list.AddRange(custom);
        return ResourceSet.From(list);
    }
}
