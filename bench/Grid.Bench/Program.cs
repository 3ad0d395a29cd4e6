using Grid.Bench.Cases;
using Grid.Bench.Harness;
using Grid.Bench.Topology;

namespace Grid.Bench;

/// <summary>
/// Ray's `ray microbenchmark` on Grid: every case beside the same hop done with raw Orleans in the
/// same run. Usage: dotnet run -c Release --project bench/Grid.Bench -- [--cluster] [--quick] [--filter TEXT] [--no-baseline] [--costs].
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => BenchOptions.Command(RunAsync).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(BenchOptions options)
    {
        await using var topology = options.Cluster ? await TopologyFactory.ClusterAsync() : await TopologyFactory.EmbeddedAsync();
        var report = new Report(Console.Out);
        report.Note($"Grid.Bench: {topology.Description}; {Environment.ProcessorCount} cores; {(options.Quick ? "quick" : "full")} run; " +
                    $"warm-up {options.WarmUp.TotalSeconds:0.#} s, {options.Runs} runs of {options.RunLength.TotalSeconds:0.#} s");
        var context = new BenchContext(topology.Client, options, topology.NodeCount, topology.Silos);
        var cases = TaskCases.All(context)
            .Concat(ActorCases.All(context))
            .Concat(ObjectCases.All(context))
            .Concat(TransferCases.All(context, report))
            .Concat(PlacementGroupCases.All(context));
        await new Runner(context, report).RunAsync(cases);
        return 0;
    }
}
