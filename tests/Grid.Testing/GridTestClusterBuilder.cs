using System.Collections.Concurrent;
using Grid.Grains;
using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Grid.Testing;

/// <summary>
/// Builds a <see cref="GridTestCluster"/>: silos of Orleans' <see cref="InProcessTestCluster"/> in this process, each a
/// Grid node (<c>UseGrid</c>) with its own object store, sharing one GCS (in memory, or in a real redis-server), and a
/// <see cref="GridClient"/> connected through the test cluster's client. The one way the tests set up an in-process
/// cluster; the xunit fixtures of the test projects are thin wrappers around it.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await new GridTestClusterBuilder()
///     .Silos(3)
///     .ConfigureNodes(node => node.NumCpus = 4)
///     .StartAsync();
/// var nodes = await cluster.NodesAsync();
/// </code>
/// </example>
public sealed class GridTestClusterBuilder
{
    // One entry per silo of the initial deployment: its node's own options, or null.
    private readonly List<Action<GridNodeOptions>?> _silos = [];
    private readonly List<Action<string, GridNodeOptions>> _nodes = [];
    private readonly List<Action<string, ObjectStoreOptions>> _stores = [];
    private readonly List<Action<string, ISiloBuilder>> _siloBuilders = [];
    private bool _storeOnly;
    private bool _redis;
    private RedisServer? _redisServer;
    private TimeSpan _patience = GridTestCluster.DefaultPatience;

    /// <summary>Adds <paramref name="count"/> silos whose nodes have no options of their own (those of <see cref="ConfigureNodes(Action{GridNodeOptions})"/> only).</summary>
    public GridTestClusterBuilder Silos(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var i = 0; i < count; i++) _silos.Add(null);
        return this;
    }

    /// <summary>
    /// Adds one silo whose node has options of its own, applied after <see cref="ConfigureNodes(Action{GridNodeOptions})"/>:
    /// a heterogeneous cluster (CPUs, GPUs, custom resources, labels per node). Silos take these options in the order they
    /// are configured, which need not be the order of their names: find a node by its labels or resources, not by position.
    /// </summary>
    public GridTestClusterBuilder AddSilo(Action<GridNodeOptions> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _silos.Add(node);
        return this;
    }

    /// <summary>Sets every node's options (silos added later by <see cref="GridTestCluster.AddSiloAsync"/> too).</summary>
    public GridTestClusterBuilder ConfigureNodes(Action<GridNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ConfigureNodes((_, node) => configure(node));
    }

    /// <summary>Sets every node's options, given its silo's name ("Primary" for the first, which holds the test cluster's membership).</summary>
    public GridTestClusterBuilder ConfigureNodes(Action<string, GridNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _nodes.Add(configure);
        return this;
    }

    /// <summary>Sets every silo's object-store options.</summary>
    public GridTestClusterBuilder ConfigureStores(Action<ObjectStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ConfigureStores((_, store) => configure(store));
    }

    /// <summary>Sets every silo's object-store options, given the silo's name (e.g. "Secondary_2").</summary>
    public GridTestClusterBuilder ConfigureStores(Action<string, ObjectStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _stores.Add(configure);
        return this;
    }

    /// <summary>
    /// More configuration of every silo, given its name (Orleans' test cluster names them Silo_0, Silo_1…), applied after
    /// <c>UseGrid</c>: e.g. the web service on one silo (<c>(name, silo) =&gt; { if (name == "Silo_0") silo.UseGridDashboard(…); }</c>).
    /// </summary>
    public GridTestClusterBuilder ConfigureSilos(Action<string, ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _siloBuilders.Add(configure);
        return this;
    }

    /// <summary>
    /// Silos with an object store only (and the node-pinned placement its grains need), no Grid node, no GCS and no
    /// <see cref="GridClient"/>: what the object store's own tests run on.
    /// </summary>
    public GridTestClusterBuilder StoreOnly()
    {
        _storeOnly = true;
        return this;
    }

    /// <summary>
    /// The silos share a GCS in Redis (<see cref="RedisGcs"/>, each silo its own connection, as nodes of a real cluster)
    /// instead of one in-memory GCS. With no <paramref name="server"/>, the cluster starts a redis-server of its own and stops
    /// it on dispose; a given one is left running. Membership stays the test cluster's own: only the GCS is in Redis.
    /// </summary>
    public GridTestClusterBuilder UseRedisGcs(RedisServer? server = null)
    {
        _redis = true;
        _redisServer = server;
        return this;
    }

    /// <summary>How long the cluster waits for its nodes to show in (or leave) the cluster view before failing: a give-up bound, never a sleep.</summary>
    public GridTestClusterBuilder Patience(TimeSpan patience)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(patience, TimeSpan.Zero);
        _patience = patience;
        return this;
    }

    /// <summary>
    /// Deploys the silos, connects the <see cref="GridTestCluster.Grid"/> client and waits until its cluster view lists
    /// every node. Whatever started is torn down again when a step fails.
    /// </summary>
    public async Task<GridTestCluster> StartAsync()
    {
        if (_silos.Count == 0) throw new InvalidOperationException("A test cluster needs at least one silo: call Silos or AddSilo.");
        if (_storeOnly && _redis) throw new InvalidOperationException("A store-only cluster has no GCS; UseRedisGcs does not apply.");

        var cluster = new GridTestCluster(_patience, _storeOnly);
        try
        {
            IGcs? gcs = null;
            GridRedisOptions? redis = null;
            if (_redis)
            {
                var server = _redisServer;
                if (server is null) cluster.Owns(server = await RedisServer.StartAsync());
                // A cluster id of its own, so that clusters sharing one redis-server never see each other's keys.
                redis = new GridRedisOptions { Address = server.Address, Password = server.Password, ClusterId = $"test-{Guid.NewGuid():N}" };
                var connection = await RedisGcs.ConnectAsync(redis);
                cluster.Owns(connection);
                gcs = connection;
            }
            else if (!_storeOnly)
            {
                gcs = new InMemoryGcs();
            }

            // Silos take their own options in the order they are configured; StartAdditionalSilo queues one more first.
            var pending = new ConcurrentQueue<Action<GridNodeOptions>?>(_silos);
            var nodes = _nodes.ToArray();
            var stores = _stores.ToArray();
            var siloBuilders = _siloBuilders.ToArray();
            var builder = new InProcessTestClusterBuilder((short)_silos.Count);
            builder.ConfigureSilo((options, silo) =>
            {
                pending.TryDequeue(out var own);
                var name = options.SiloName;
                Action<ObjectStoreOptions>? store = stores.Length == 0 ? null : o =>
                {
                    foreach (var configure in stores) configure(name, o);
                };
                if (_storeOnly)
                {
                    silo.Services.AddGridObjectStore(store);
                    silo.Services.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
                    return;
                }
                if (redis is not null)
                {
                    // What UseGridRedis registers for the GCS, without its Redis membership (the test cluster keeps its own).
                    silo.Services.AddSingleton(sp => new RedisGcs(redis, sp.GetRequiredService<Serializer>(), sp.GetService<ILogger<RedisGcs>>()));
                    silo.Services.AddSingleton<IGcs>(sp => sp.GetRequiredService<RedisGcs>());
                }
                else
                {
                    silo.Services.AddSingleton<IGcs>(gcs!);
                }
                silo.UseGrid(o =>
                {
                    foreach (var configure in nodes) configure(name, o);
                    own?.Invoke(o);
                }, store);
                foreach (var configure in siloBuilders) configure(name, silo);
            });
            await cluster.DeployAsync(builder.Build(), gcs, pending);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
