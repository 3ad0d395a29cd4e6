using System.CommandLine;

namespace Grid.Bench.Harness;

/// <summary>Command line of the bench: which topology, how long, which cases.</summary>
public sealed record BenchOptions
{
    /// <summary>A client talking to a two-silo cluster over loopback TCP instead of the embedded mode.</summary>
    public bool Cluster { get; init; }
    /// <summary>Cluster mode twice in one run: without TLS, then with TLS and mutual authentication (rows suffixed ".tls").</summary>
    public bool Tls { get; init; }
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

    /// <summary>The bench's command line (System.CommandLine: help, typos and missing values reported for us).</summary>
    public static RootCommand Command(Func<BenchOptions, Task<int>> run)
    {
        var cluster = new Option<bool>("--cluster") { Description = "A client talking to a 2-silo cluster over loopback TCP (default: embedded mode)." };
        var tls = new Option<bool>("--tls") { Description = "Cluster mode twice in one run: without TLS, then with TLS as 'grid start' runs it (rows suffixed .tls)." };
        var quick = new Option<bool>("--quick") { Description = "Short warm-up and runs, batches divided by 10 (about a minute; a smoke test, not figures)." };
        var filter = new Option<string?>("--filter") { Description = "Only cases whose name contains this text (Ray's TESTS_TO_RUN)." };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the raw-Orleans baselines." };
        var costs = new Option<bool>("--costs") { Description = "Also print CPU microseconds, bytes allocated and thread-pool work items per operation." };
        var command = new RootCommand("Ray's `ray microbenchmark` cases on Grid, each beside the same hop done with raw Orleans in the same run.")
        {
            cluster, tls, quick, filter, noBaseline, costs,
        };
        command.SetAction(parse => run(new BenchOptions
        {
            Cluster = parse.GetValue(cluster) || parse.GetValue(tls),
            Tls = parse.GetValue(tls),
            Quick = parse.GetValue(quick),
            Filter = parse.GetValue(filter),
            NoBaseline = parse.GetValue(noBaseline),
            Costs = parse.GetValue(costs),
        }));
        return command;
    }
}
