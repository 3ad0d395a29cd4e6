namespace Grid.Wire;

/// <summary>Everything a node needs to run one task; its result gets the id <see cref="TaskId"/>.</summary>
[GenerateSerializer, Immutable]
public sealed class TaskSpec
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

    public string DisplayName => Name ?? Function.DisplayName;
}
