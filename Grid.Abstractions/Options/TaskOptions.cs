namespace Grid;

/// <summary>
/// Per-call options of a remote function, as Ray's <c>.options(...)</c>. Ray's defaults: a task
/// needs 1 CPU, and a task whose node dies is retried 3 times.
/// </summary>
public sealed record TaskOptions
{
    public static readonly TaskOptions Default = new();

    public double NumCpus { get; init; } = 1;
    public double NumGpus { get; init; }
    /// <summary>Custom resources, e.g. <c>{ ["accelerator"] = 1 }</c>.</summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }
    /// <summary>How often a task is re-run when its node dies (not when the task itself throws).</summary>
    public int MaxRetries { get; init; } = 3;
    /// <summary>A name for logs, errors and status; defaults to the method's name.</summary>
    public string? Name { get; init; }

    public ResourceSet ToResourceSet() => ResourceRequest.Build(NumCpus, NumGpus, Resources);
}

/// <summary>
/// Options of an actor. Ray's defaults: an actor holds no CPU while it lives (it needs 1 CPU only to
/// be scheduled) and runs one method at a time.
/// </summary>
public sealed record ActorOptions
{
    public static readonly ActorOptions Default = new();

    public double NumCpus { get; init; }
    public double NumGpus { get; init; }
    public IReadOnlyDictionary<string, double>? Resources { get; init; }
    /// <summary>A name under which other clients find the actor with GetActorAsync.</summary>
    public string? Name { get; init; }
    public string Namespace { get; init; } = "default";
    /// <summary>How many methods may run at once; 1 runs them one at a time in submission order.</summary>
    public int MaxConcurrency { get; init; } = 1;

    public ResourceSet ToResourceSet() => ResourceRequest.Build(NumCpus, NumGpus, Resources);
}

public static class ResourceRequest
{
    public static ResourceSet Build(double cpus, double gpus, IReadOnlyDictionary<string, double>? custom)
    {
        var list = new List<KeyValuePair<string, double>>
        {
            KeyValuePair.Create(ResourceSet.Cpu, cpus),
            KeyValuePair.Create(ResourceSet.Gpu, gpus),
        };
        if (custom is not null) list.AddRange(custom);
        return ResourceSet.From(list);
    }
}
