using Grid.Testing;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore.Tests;

/// <summary>
/// Two in-process silos (<see cref="GridTestCluster"/>, store only) whose stores never read each other's files nor hand
/// theirs to writers (same-host reads and writes off), so every transfer takes the path nodes on different machines
/// take. The third silo serves no transfer channel: pulls from it fall back to grain calls.
/// </summary>
public sealed class NetworkOnlyCluster : IAsyncLifetime
{
    public GridTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await new GridTestClusterBuilder()
            .Silos(3)
            .StoreOnly()
            .ConfigureStores((silo, store) =>
            {
                store.AllowSameHostReads = false;
                store.AllowSameHostWrites = false;
                store.Network.Enabled = !silo.EndsWith("_2", StringComparison.Ordinal);
            })
            .StartAsync();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }

    /// <summary>The silo that serves no transfer channel.</summary>
    internal TwoSiloCluster.Node WithoutChannel =>
        this[Enumerable.Range(0, Cluster.Silos.Count).First(i => !HasChannel(i))];

    /// <summary>A silo that serves a transfer channel, the <paramref name="skip"/>-th one.</summary>
    internal TwoSiloCluster.Node WithChannel(int skip = 0) =>
        this[Enumerable.Range(0, Cluster.Silos.Count).Where(HasChannel).Skip(skip).First()];

    private bool HasChannel(int index) => GridTestCluster.Service<IOptions<ObjectStoreOptions>>(Cluster.Silos[index]).Value.Network.Enabled;

    internal TwoSiloCluster.Node this[int index] => TwoSiloCluster.Node.Of(Cluster.Silos[index]);
}
