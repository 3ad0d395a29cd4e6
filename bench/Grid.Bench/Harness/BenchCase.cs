namespace Grid.Bench.Harness;

/// <summary>What a case measures: a rate (operations per second, or gigabytes per second) or a latency.</summary>
public enum CaseKind { Rate, Latency }

/// <summary>
/// One microbenchmark: the Grid operation under Ray's name and the same hop done with raw Orleans
/// (or memcpy, for bandwidth), measured the same way in the same process.
/// </summary>
public sealed class BenchCase
{
    /// <summary>Ray's name with underscores, e.g. single_client_tasks_async.</summary>
    public required string Name { get; init; }
    public CaseKind Kind { get; init; } = CaseKind.Rate;
    /// <summary>Operations (or gigabytes) per call of <see cref="Grid"/> and <see cref="Baseline"/>.</summary>
    public double Multiplier { get; init; } = 1;
    public string Unit { get; init; } = "ops/s";
    /// <summary>Creates what the case needs (actors, objects) before anything is timed.</summary>
    public Func<Task>? Setup { get; init; }
    public required Func<Task> Grid { get; init; }
    /// <summary>The same hop with raw Orleans, or memcpy for bandwidth; see docs/readme/bench.md.</summary>
    public Func<Task>? Baseline { get; init; }
    /// <summary>Undoes <see cref="Setup"/> (kills actors) so later cases run on a quiet grid.</summary>
    public Func<Task>? Teardown { get; init; }
}
