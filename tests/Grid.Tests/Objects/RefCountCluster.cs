using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.Tests.Objects;

/// <summary>
/// Three in-process silos sharing an in-memory GCS, each with a store of 1.5 MiB of memory (so a second 1 MiB
/// object spills) and its own spill directory; plus helpers to see where objects are.
/// </summary>
public sealed class RefCountClusterFixture : IAsyncLifetime
{
    public const int ObjectSize = 1 << 20;
    private readonly InMemoryGcs _gcs = new();
    private readonly List<GridClient> _clients = [];

    public InProcessTestCluster Cluster { get; private set; } = null!;
    internal IGcs Gcs => _gcs;
    public GridClient Grid { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<IGcs>(_gcs);
            silo.UseGrid(o => o.NumCpus = 4, store => store.CapacityBytes = 3 * ObjectSize / 2);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Grid = await ConnectAsync();
        await Eventually.WaitAsync(async () => (await Grid.GetNodesAsync()).Length == 3, TimeSpan.FromSeconds(30), "three nodes in the cluster view");
    }

    public async Task<GridClient> ConnectAsync()
    {
        var factory = new GridClientFactory(Cluster.Client, Options.Create(new GridClientOptions()), Options.Create(new ObjectStoreOptions()));
        var client = await factory.CreateAsync(null);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Every silo's object store.</summary>
    internal LocalObjectStore[] Stores() =>
        [.. Cluster.Silos.Select(s => ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<LocalObjectStore>())];

    public async Task<NodeId[]> NodesAsync() => [.. (await Grid.GetNodesAsync()).Where(n => n.State == NodeState.Alive).Select(n => n.NodeId)];

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
            foreach (var id in ids) listed |= await _gcs.GetObjectLocationsAsync(id) is not null;
            return !onNodes && !listed;
        }, TimeSpan.FromSeconds(60), $"objects {string.Join(", ", ids)} gone from every node and from the object directory");

    public async Task DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
