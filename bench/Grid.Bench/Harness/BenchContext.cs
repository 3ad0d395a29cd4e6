namespace Grid.Bench.Harness;

/// <summary>What every case works with: the Grid client, the same client's grain factory, the options.</summary>
public sealed class BenchContext(GridClient grid, BenchOptions options, int nodeCount, IReadOnlyList<IServiceProvider>? silos = null)
{
    public GridClient Grid { get; } = grid;
    /// <summary>The Orleans side of the same client: the baselines call their grains through it.</summary>
    public IGrainFactory Grains => Grid.Worker.Grains;
    public BenchOptions Options { get; } = options;
    public int NodeCount { get; } = nodeCount;
    /// <summary>The silo hosts' services in cluster mode (empty in embedded mode).</summary>
    public IReadOnlyList<IServiceProvider> Silos { get; } = silos ?? [];

    /// <summary>Ray's n_cpu: half the machine's cores (at least one).</summary>
    public static int HalfTheCores => Math.Max(1, Environment.ProcessorCount / 2);
}
