using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.Tests.Fixtures;

/// <summary>
/// A cluster of a few in-process silos sharing an in-memory GCS, for one test that kills some of them: a test owns
/// it (<c>await using</c>), since a cluster that lost a silo is no use to the next test.
/// </summary>
internal sealed class SmallCluster : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public required InProcessTestCluster Cluster { get; init; }
    public required InMemoryGcs Gcs { get; init; }
    public required GridClient Grid { get; init; }

    /// <param name="node">Sets a node's options beyond its CPUs, given the silo's name ("Primary" for the first).</param>
    public static async Task<SmallCluster> StartAsync(short silos, double cpusPerNode = 2, Action<string, GridNodeOptions>? node = null)
    {
        var gcs = new InMemoryGcs();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.Services.AddSingleton<IGcs>(gcs);
            silo.UseGrid(o =>
            {
                o.NumCpus = cpusPerNode;
                node?.Invoke(options.SiloName, o);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var factory = new GridClientFactory(cluster.Client, Options.Create(new GridClientOptions()), Options.Create(new ObjectStoreOptions()));
        var grid = await factory.CreateAsync(null);
        await Eventually.WaitAsync(async () => (await grid.GetNodesAsync()).Length == silos, Timeout, $"{silos} nodes in the cluster view");
        return new SmallCluster { Cluster = cluster, Gcs = gcs, Grid = grid };
    }

    public static NodeId NodeOf(InProcessSiloHandle silo) => new(silo.SiloAddress.ToParsableString());

    /// <summary>A silo other than the first (which hosts the test cluster's membership), to kill.</summary>
    public InProcessSiloHandle Victim(NodeId? node = null) =>
        (InProcessSiloHandle)Cluster.Silos.Skip(1).First(s => node is null || NodeOf((InProcessSiloHandle)s) == node);

    /// <summary>The stores of every silo but <paramref name="except"/> (a killed silo's store may linger in this process).</summary>
    public LocalObjectStore[] StoresExcept(InProcessSiloHandle except) =>
        [.. Cluster.Silos.Where(s => s != except).Select(s => ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<LocalObjectStore>())];

    /// <summary>
    /// Kills <paramref name="victim"/> (no shutdown, as a crash would) and waits until the GCS lists its node dead.
    /// Returns the kill itself, awaited last: an in-process kill returns only after the silo's running calls end.
    /// </summary>
    public async Task<Task> KillAsync(InProcessSiloHandle victim)
    {
        var killing = Cluster.KillSiloAsync(victim);
        var node = NodeOf(victim);
        await Eventually.WaitAsync(async () =>
        {
            try { return (await Grid.GetNodesAsync()).All(n => n.NodeId != node || n.State != NodeState.Alive); }
            catch (Exception e) when (e is OrleansMessageRejectionException or TimeoutException) { return false; } // the GCS grain's silo may be the one stopping
        }, Timeout, $"node {node} marked dead in the GCS");
        return killing;
    }

    public async ValueTask DisposeAsync()
    {
        await Grid.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
