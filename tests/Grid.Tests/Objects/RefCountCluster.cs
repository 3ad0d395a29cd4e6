using Grid.ObjectStore;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Tests.Objects;

/// <summary>
/// Three in-process silos (<see cref="GridTestCluster"/>) sharing an in-memory GCS, each with a store of 1.5 MiB of memory (so a second 1 MiB
/// object spills) and its own spill directory; plus helpers to see where objects are.
/// </summary>
public sealed class RefCountClusterFixture : IAsyncLifetime
{
    public const int ObjectSize = 1 << 20;

    public GridTestCluster Cluster { get; private set; } = null!;
    internal IGcs Gcs => Cluster.Gcs;
    public GridClient Grid => Cluster.Grid;

    public async Task InitializeAsync() =>
        Cluster = await new GridTestClusterBuilder()
            .Silos(3)
            .ConfigureNodes(o => o.NumCpus = 4)
            .ConfigureStores(store => store.CapacityBytes = 3 * ObjectSize / 2)
            .StartAsync();

    public Task<GridClient> ConnectAsync() => Cluster.ConnectClientAsync();

    /// <summary>Every silo's object store.</summary>
    internal LocalObjectStore[] Stores() => Cluster.Stores();

    public Task<NodeId[]> NodesAsync() => Cluster.NodesAsync();

    /// <summary>The nodes whose memory summary rows list <paramref name="id"/>.</summary>
    public async Task<MemoryRow[]> CopiesAsync(ObjectId id) => [.. (await Grid.MemorySummaryAsync()).Rows.Where(r => r.Id == id)];

    /// <summary>
    /// Waits until no node holds any of <paramref name="ids"/> and the object directory forgets them. Collects
    /// garbage on each try: refs nobody disposed are released by their finalizers (the silos share this process).
    /// </summary>
    public Task GoneEverywhereAsync(params ObjectId[] ids) =>
        Eventually.WaitAsync(async () =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var onNodes = Stores().Any(s => s.List().Any(o => ids.Contains(o.Id)));
            var listed = false;
            foreach (var id in ids) listed |= await Gcs.GetObjectLocationsAsync(id) is not null;
            return !onNodes && !listed;
        }, TimeSpan.FromSeconds(60), $"objects {string.Join(", ", ids)} gone from every node and from the object directory");

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
