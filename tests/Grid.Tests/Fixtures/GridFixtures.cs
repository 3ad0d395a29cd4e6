using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

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

/// <summary>Three silos in this process (Orleans' InProcessTestCluster), 4 CPUs each, sharing one in-memory GCS.</summary>
public sealed class ClusterGridFixture : IGridFixture, IAsyncLifetime
{
    private readonly InMemoryGcs _gcs = new();
    private readonly List<GridClient> _clients = [];

    public InProcessTestCluster Cluster { get; private set; } = null!;
    /// <summary>The GCS the silos share.</summary>
    internal IGcs Gcs => _gcs;
    public GridClient Grid { get; private set; } = null!;
    public int NodeCount => 3;
    public double CpusPerNode => 4;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<IGcs>(_gcs);
            silo.UseGrid(o => o.NumCpus = CpusPerNode);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Grid = await ConnectAnotherClientAsync();
    }

    public Task<GridClient> ConnectAnotherClientAsync() => ConnectClientAsync(new GridClientOptions());

    /// <summary>A client (job) with its own options, e.g. the code it ships.</summary>
    public async Task<GridClient> ConnectClientAsync(GridClientOptions options)
    {
        var factory = new GridClientFactory(Cluster.Client, Options.Create(options), Options.Create(new ObjectStoreOptions()));
        var client = await factory.CreateAsync(null);
        lock (_clients) _clients.Add(client);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        await Cluster.DisposeAsync();
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
