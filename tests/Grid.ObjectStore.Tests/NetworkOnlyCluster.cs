using Grid.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Grid.ObjectStore.Tests;

/// <summary>
/// Two in-process silos whose stores never read each other's files nor hand theirs to writers (same-host reads and writes
/// off), so every transfer takes the path nodes on different machines take. The third silo serves no transfer
/// channel: pulls from it fall back to grain calls.
/// </summary>
public sealed class NetworkOnlyCluster : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var withChannel = !options.SiloName.EndsWith("_2", StringComparison.Ordinal);
            silo.Services.AddGridObjectStore(store =>
            {
                store.AllowSameHostReads = false;
                store.AllowSameHostWrites = false;
                store.Network.Enabled = withChannel;
            });
            silo.Services.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The silo that serves no transfer channel.</summary>
    internal TwoSiloCluster.Node WithoutChannel =>
        this[Enumerable.Range(0, Cluster.Silos.Count).First(i => !Cluster.Silos[i].ServiceProvider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value.Network.Enabled)];

    /// <summary>A silo that serves a transfer channel, the <paramref name="skip"/>-th one.</summary>
    internal TwoSiloCluster.Node WithChannel(int skip = 0) =>
        this[Enumerable.Range(0, Cluster.Silos.Count).Where(i => Cluster.Silos[i].ServiceProvider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value.Network.Enabled).Skip(skip).First()];

    internal TwoSiloCluster.Node this[int index]
    {
        get
        {
            var silo = Cluster.Silos[index];
            var services = silo.ServiceProvider;
            return new TwoSiloCluster.Node(new NodeId(silo.SiloAddress.ToParsableString()), services.GetRequiredService<LocalObjectStore>(), services.GetRequiredService<ObjectManager>());
        }
    }
}
