using Grid.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.ObjectStore.Tests;

/// <summary>Two in-process silos (<see cref="GridTestCluster"/>, store only), each with its own object store (and directory) and NodePinned placement.</summary>
public sealed class TwoSiloCluster : IAsyncLifetime
{
    public GridTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await new GridTestClusterBuilder().Silos(2).StoreOnly().StartAsync();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }

    internal Node this[int index] => Node.Of(Cluster.Silos[index]);

    /// <summary>A puller with no local store, on the cluster client: what a remote driver has.</summary>
    internal ObjectManager ClientPuller() =>
        new(Cluster.Client, null, Options.Create(new ObjectStoreOptions()), NullLogger<ObjectManager>.Instance);

    internal sealed record Node(NodeId Id, LocalObjectStore Store, ObjectManager Objects)
    {
        public static Node Of(InProcessSiloHandle silo) =>
            new(GridTestCluster.NodeOf(silo), GridTestCluster.Service<LocalObjectStore>(silo), GridTestCluster.Service<ObjectManager>(silo));
    }
}
