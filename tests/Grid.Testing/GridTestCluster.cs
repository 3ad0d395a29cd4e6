using System.Collections.Concurrent;
using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.Testing;

/// <summary>
/// An in-process Grid cluster (made by <see cref="GridTestClusterBuilder"/>): its silos, the GCS they share, the clients
/// connected to it and the object stores of its nodes, plus the changes tests make to it (kill, add and stop silos),
/// each awaited until the cluster view shows it. Disposing it disposes the clients, then the silos, then what it
/// started for them (a Redis GCS connection, a redis-server).
/// </summary>
public sealed class GridTestCluster : IAsyncDisposable
{
    /// <summary>How long the cluster waits for its view to change before failing, unless the builder says otherwise.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(90);

    private readonly bool _storeOnly;
    private readonly List<GridClient> _clients = [];
    private readonly List<IAsyncDisposable> _owned = [];
    // Silos started later take their own options from here (see the builder); one start at a time keeps them in step.
    private readonly SemaphoreSlim _starting = new(1, 1);
    private ConcurrentQueue<Action<GridNodeOptions>?> _pending = new();
    private InProcessTestCluster? _cluster;
    private IGcs? _gcs;
    private GridClient? _grid;

    internal GridTestCluster(TimeSpan patience, bool storeOnly)
    {
        Patience = patience;
        _storeOnly = storeOnly;
    }

    /// <summary>Orleans' test cluster underneath, for what this class does not wrap.</summary>
    public InProcessTestCluster TestCluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    /// <summary>The test cluster's Orleans client (a remote client of the silos, in this process).</summary>
    public IClusterClient Client => TestCluster.Client;

    /// <summary>The silos running now, the first ("Primary") holding the test cluster's membership.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => TestCluster.Silos;

    /// <summary>The GCS every node shares (in memory, or a connection of the test's own to the Redis GCS).</summary>
    internal IGcs Gcs => _gcs ?? throw new InvalidOperationException("A store-only cluster has no GCS.");

    /// <summary>The client connected at start (a job of its own); <see cref="ConnectClientAsync"/> makes more.</summary>
    public GridClient Grid => _grid ?? throw new InvalidOperationException("A store-only cluster has no Grid client.");

    /// <summary>How long waits on the cluster view last before they fail.</summary>
    public TimeSpan Patience { get; }

    internal void Owns(IAsyncDisposable resource) => _owned.Add(resource);

    internal async Task DeployAsync(InProcessTestCluster cluster, IGcs? gcs, ConcurrentQueue<Action<GridNodeOptions>?> pending)
    {
        _cluster = cluster;
        _gcs = gcs;
        _pending = pending;
        await cluster.DeployAsync();
        if (_storeOnly) return;
        _grid = await ConnectClientAsync();
        var count = cluster.Silos.Count;
        await WaitForViewAsync(nodes => nodes.Length == count, $"{count} nodes in the cluster view");
    }

    /// <summary>Another client of the cluster (a job with its own owner endpoint), with its own options; disposed with the cluster.</summary>
    /// <param name="options">The client's options (e.g. the code it ships); defaults when null.</param>
    /// <param name="store">Its object-transfer options; defaults when null.</param>
    public async Task<GridClient> ConnectClientAsync(GridClientOptions? options = null, ObjectStoreOptions? store = null)
    {
        if (_storeOnly) throw new InvalidOperationException("A store-only cluster has no Grid nodes to connect to.");
        var factory = new GridClientFactory(TestCluster.Client, Options.Create(options ?? new GridClientOptions()), Options.Create(store ?? new ObjectStoreOptions()));
        var client = await factory.CreateAsync(null);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>The node a silo runs: its id is the silo's address.</summary>
    public static NodeId NodeOf(SiloHandle silo) => new(silo.SiloAddress.ToParsableString());

    /// <summary>The silo running <paramref name="node"/>.</summary>
    public InProcessSiloHandle SiloOf(NodeId node) => Silos.Single(s => NodeOf(s) == node);

    /// <summary>
    /// A silo other than the first (which holds the test cluster's membership, so killing it would stop the cluster
    /// noticing deaths), to kill: the one running <paramref name="node"/>, or the first such.
    /// </summary>
    public InProcessSiloHandle Victim(NodeId? node = null) => Silos.Skip(1).First(s => node is null || NodeOf(s) == node);

    /// <summary>A service of <paramref name="silo"/>'s container (its raylet, its cluster view, its store…).</summary>
    public static T Service<T>(SiloHandle silo) where T : notnull =>
        ((InProcessSiloHandle)silo).ServiceProvider.GetRequiredService<T>();

    /// <summary>Every running silo's object store.</summary>
    internal LocalObjectStore[] Stores() => [.. Silos.Select(Service<LocalObjectStore>)];

    /// <summary>The stores of every silo but <paramref name="except"/> (a killed silo's store may linger in this process).</summary>
    internal LocalObjectStore[] StoresExcept(SiloHandle except) => [.. Silos.Where(s => s != except).Select(Service<LocalObjectStore>)];

    /// <summary>The nodes <see cref="Grid"/>'s cluster view lists alive.</summary>
    public async Task<NodeId[]> NodesAsync() => [.. (await Grid.GetNodesAsync()).Where(n => n.State == NodeState.Alive).Select(n => n.NodeId)];

    /// <summary>Waits until <see cref="Grid"/>'s cluster view satisfies <paramref name="done"/>, failing after <see cref="Patience"/>.</summary>
    public Task WaitForViewAsync(Func<NodeInfo[], bool> done, string what) =>
        Eventually.WaitAsync(async () =>
        {
            try { return done(await Grid.GetNodesAsync()); }
            // The GCS grain's silo may be the one stopping: ask again.
            catch (Exception e) when (e is OrleansMessageRejectionException or TimeoutException) { return false; }
        }, Patience, what);

    /// <summary>
    /// Kills <paramref name="victim"/> (no shutdown, as a crash would) and waits until the cluster view no longer lists its
    /// node alive. Returns the kill itself, to be awaited last: an in-process kill returns only after the silo's running
    /// calls end, which a test may be holding.
    /// </summary>
    public async Task<Task> KillAsync(InProcessSiloHandle victim)
    {
        var killing = TestCluster.KillSiloAsync(victim);
        var node = NodeOf(victim);
        if (!_storeOnly)
            await WaitForViewAsync(nodes => nodes.All(n => n.NodeId != node || n.State != NodeState.Alive), $"node {node} marked dead in the GCS");
        return killing;
    }

    /// <summary>
    /// Starts another silo, its node with options of its own (after those of <see cref="GridTestClusterBuilder.ConfigureNodes(Action{GridNodeOptions})"/>),
    /// and waits until the cluster view lists it.
    /// </summary>
    public async Task<InProcessSiloHandle> AddSiloAsync(Action<GridNodeOptions>? node = null)
    {
        InProcessSiloHandle silo;
        await _starting.WaitAsync();
        try
        {
            _pending.Enqueue(node);
            silo = await TestCluster.StartAdditionalSiloAsync();
        }
        finally
        {
            _starting.Release();
        }
        if (!_storeOnly)
        {
            var id = NodeOf(silo);
            await WaitForViewAsync(nodes => nodes.Any(n => n.NodeId == id), $"node {id} in the cluster view");
        }
        return silo;
    }

    /// <summary>Stops <paramref name="silo"/> gracefully and waits until the cluster view no longer lists its node.</summary>
    public async Task StopSiloAsync(InProcessSiloHandle silo)
    {
        await TestCluster.StopSiloAsync(silo);
        if (_storeOnly) return;
        var id = NodeOf(silo);
        await WaitForViewAsync(nodes => nodes.All(n => n.NodeId != id), $"node {id} gone from the cluster view");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            GridClient[] clients;
            lock (_clients) clients = [.. _clients];
            foreach (var client in clients) await client.DisposeAsync();
            if (_cluster is not null) await _cluster.DisposeAsync();
        }
        finally
        {
            // Started for the silos (a GCS connection, a redis-server): gone after them, the last one first.
            foreach (var resource in Enumerable.Reverse(_owned)) await resource.DisposeAsync();
            _starting.Dispose();
        }
    }
}
