using Grid.Hosting;
using Grid.Silo.Gcs;
using Grid.Testing;

namespace Grid.Tests.Fixtures;

/// <summary>A grid under test: the client a program would use, and how many nodes it spans.</summary>
public interface IGridFixture
{
    GridClient Grid { get; }
    int NodeCount { get; }
    double CpusPerNode { get; }
    /// <summary>A second client of the same cluster (another job with its own owner endpoint).</summary>
    Task<GridClient> ConnectAnotherClientAsync();
}

/// <summary>The embedded mode: one in-process silo declaring 4 CPUs, no Redis.</summary>
public sealed class EmbeddedGridFixture : IGridFixture, IAsyncLifetime
{
    public GridClient Grid { get; private set; } = null!;
    public int NodeCount => 1;
    public double CpusPerNode => 4;

    public async Task InitializeAsync() => Grid = await GridClient.StartLocalAsync(node => node.NumCpus = CpusPerNode);

    public Task<GridClient> ConnectAnotherClientAsync() => Task.FromResult(Grid);

    public async Task DisposeAsync() => await Grid.DisposeAsync();
}

/// <summary>Three silos in this process (<see cref="GridTestCluster"/>), 4 CPUs each, sharing one in-memory GCS.</summary>
public sealed class ClusterGridFixture : IGridFixture, IAsyncLifetime
{
    public GridTestCluster Cluster { get; private set; } = null!;
    /// <summary>The GCS the silos share.</summary>
    internal IGcs Gcs => Cluster.Gcs;
    public GridClient Grid => Cluster.Grid;
    public int NodeCount => 3;
    public double CpusPerNode => 4;

    public async Task InitializeAsync() =>
        Cluster = await new GridTestClusterBuilder().Silos(NodeCount).ConfigureNodes(o => o.NumCpus = CpusPerNode).StartAsync();

    public Task<GridClient> ConnectAnotherClientAsync() => Cluster.ConnectClientAsync();

    /// <summary>A client (job) with its own options, e.g. the code it ships.</summary>
    public Task<GridClient> ConnectClientAsync(GridClientOptions options) => Cluster.ConnectClientAsync(options);

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

[CollectionDefinition("embedded")]
public sealed class EmbeddedCollection : ICollectionFixture<EmbeddedGridFixture>;

[CollectionDefinition("cluster")]
public sealed class ClusterCollection : ICollectionFixture<ClusterGridFixture>;

/// <summary>
/// Tests that kill silos, each on a cluster of its own: they run one at a time, after the parallel tests, because
/// failure detection is timed (membership probes, the views' refreshes) and a machine saturated by other tests'
/// clusters stretches it past their bounds.
/// </summary>
[CollectionDefinition("node-kills", DisableParallelization = true)]
public sealed class NodeKillCollection;
