using Grid.Bench.Cases;
using Grid.Bench.Harness;
using Grid.Bench.Topology;

namespace Grid.Bench;

/// <summary>
/// Ray's `ray microbenchmark` on Grid: every case beside the same hop done with raw Orleans in the
/// same run, and S17's batch inference on clusters of its own. Usage: dotnet run -c Release --project bench/Grid.Bench -- [--cluster] [--tls] [--quick] [--filter TEXT] [--no-baseline] [--costs].
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => BenchOptions.Command(RunAsync).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(BenchOptions options)
    {
        // S17's inference cases bring clusters of their own (nodes declaring a GPU), started and stopped before the
        // topology below starts its silos.
        await InferenceCases.RunAsync(options, new Report(Console.Out));
        // So does the over-capacity data case, an embedded grid with a small object store.
        await DataCases.RunAsync(options, new Report(Console.Out));
        if (!options.Tls)
        {
            await using var topology = options.Cluster ? await TopologyFactory.ClusterAsync() : await TopologyFactory.EmbeddedAsync();
            await RunCasesAsync(topology, options, new Report(Console.Out));
            return 0;
        }
        // --tls: the same cases on a plain cluster and then on a TLS one, in one run, so the rows compare directly.
        // Both clusters' silos start before either client connects (see StartClusterSilosAsync) and both run throughout.
        using var credentials = Grid.Security.ClusterCredentials.Create("grid-bench", TimeSpan.FromDays(1));
        var plainSilos = await TopologyFactory.StartClusterSilosAsync();
        var tlsSilos = await TopologyFactory.StartClusterSilosAsync(credentials);
        await using var plain = await plainSilos.ConnectAsync();
        await using var tls = await tlsSilos.ConnectAsync();
        await RunCasesAsync(plain, options, new Report(Console.Out));
        await RunCasesAsync(tls, options, new Report(Console.Out) { Suffix = ".tls" });
        return 0;
    }

    private static async Task RunCasesAsync(BenchTopology topology, BenchOptions options, Report report)
    {
        report.Note($"Grid.Bench: {topology.Description}; {Environment.ProcessorCount} cores; {(options.Quick ? "quick" : "full")} run; " +
                    $"warm-up {options.WarmUp.TotalSeconds:0.#} s, {options.Runs} runs of {options.RunLength.TotalSeconds:0.#} s");
        var context = new BenchContext(topology.Client, options, topology.NodeCount, topology.Silos);
        var cases = TaskCases.All(context)
            .Concat(ActorCases.All(context))
            .Concat(ObjectCases.All(context))
            .Concat(TransferCases.All(context, report))
            .Concat(PlacementGroupCases.All(context))
            .Concat(StreamCases.All(context))
            .Concat(TensorCases.All(context))
            .Concat(DataCases.All(context));
        await new Runner(context, report).RunAsync(cases);
    }
}
