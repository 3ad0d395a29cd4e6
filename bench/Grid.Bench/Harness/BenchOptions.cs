namespace Grid.Bench.Harness;

/// <summary>Command line of the bench: which topology, how long, which cases.</summary>
public sealed record BenchOptions
{
    /// <summary>A client talking to a two-silo cluster over loopback TCP instead of the embedded mode.</summary>
    public bool Cluster { get; init; }
    /// <summary>Short warm-up and runs and smaller batches, for CI and README runs (about a minute).</summary>
    public bool Quick { get; init; }
    /// <summary>Only cases whose name contains this text (Ray's TESTS_TO_RUN).</summary>
    public string? Filter { get; init; }
    /// <summary>Skip the raw-Orleans baselines (profiling runs).</summary>
    public bool NoBaseline { get; init; }
    /// <summary>Also print CPU time and bytes allocated per operation (steady under machine load).</summary>
    public bool Costs { get; init; }

    public TimeSpan WarmUp => Quick ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(1);
    public TimeSpan RunLength => Quick ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(2);
    public int Runs => Quick ? 2 : 4;

    /// <summary>Ray's batch sizes, divided down in quick mode so one iteration stays well under a second.</summary>
    public int Batch(int full) => Quick ? Math.Max(1, full / 10) : full;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--cluster" => options with { Cluster = true },
                "--quick" => options with { Quick = true },
                "--no-baseline" => options with { NoBaseline = true },
                "--costs" => options with { Costs = true },
                "--filter" when i + 1 < args.Length => options with { Filter = args[++i] },
                "-h" or "--help" => throw new UsageException(),
                _ => throw new UsageException($"Unknown argument '{args[i]}'."),
            };
        }
        return options;
    }

    public const string Usage =
        "Usage: Grid.Bench [--cluster] [--quick] [--filter TEXT] [--no-baseline] [--costs]\n" +
        "  --cluster      a client talking to a 2-silo cluster over loopback TCP (default: embedded mode)\n" +
        "  --quick        short warm-up and runs, smaller batches (about a minute)\n" +
        "  --filter TEXT  only cases whose name contains TEXT\n" +
        "  --no-baseline  skip the raw-Orleans baselines\n" +
        "  --costs        also print CPU microseconds, bytes allocated and thread-pool work items per operation";
}

public sealed class UsageException(string? message = null) : Exception(message ?? "");
