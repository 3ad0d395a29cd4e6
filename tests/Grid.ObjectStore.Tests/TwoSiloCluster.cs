using Grid.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Grid.ObjectStore.Tests;

/// <summary>Two in-process silos, each with its own object store (and directory) and NodePinned placement.</summary>
public sealed class TwoSiloCluster : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddGridObjectStore();
            silo.Services.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    internal Node this[int index]
    {
        get
        {
            var silo = Cluster.Silos[index];
            var services = silo.ServiceProvider;
            return new Node(new NodeId(silo.SiloAddress.ToParsableString()), services.GetRequiredService<LocalObjectStore>(), services.GetRequiredService<ObjectManager>());
        }
    }

    /// <summary>A puller with no local store, on the cluster client: what a remote driver has.</summary>
    internal ObjectManager ClientPuller() =>
        new(Cluster.Client, null, Options.Create(new ObjectStoreOptions()), NullLogger<ObjectManager>.Instance);

    internal sealed record Node(NodeId Id, LocalObjectStore Store, ObjectManager Objects);
}
