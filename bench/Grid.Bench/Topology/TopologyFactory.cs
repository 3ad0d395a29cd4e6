using System.Net;
using System.Net.Sockets;
using Grid.Hosting;
using Grid.Silo;
using Grid.Silo.Gcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Bench.Topology;

/// <summary>A running grid and the client the cases use; disposing it stops everything it started.</summary>
public sealed class BenchTopology(string description, GridClient client, int nodeCount, Func<ValueTask> stop, IReadOnlyList<IServiceProvider>? silos = null) : IAsyncDisposable
{
    public string Description { get; } = description;
    public GridClient Client { get; } = client;
    public int NodeCount { get; } = nodeCount;
    /// <summary>The silo hosts' services, when the bench runs them itself (cluster mode): node-to-node cases use them.</summary>
    public IReadOnlyList<IServiceProvider> Silos { get; } = silos ?? [];

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await stop();
    }
}

/// <summary>Starts the two topologies the bench measures.</summary>
public static class TopologyFactory
{
    /// <summary>Every node declares this custom resource, which Ray's placement-group case reserves from.</summary>
    public static readonly Dictionary<string, double> CustomResources = new() { ["custom"] = 100 };

    /// <summary>The embedded mode: one silo in this process, the client is its own core worker.</summary>
    public static async Task<BenchTopology> EmbeddedAsync()
    {
        var grid = await GridClient.StartLocalAsync(node => node.Resources = new(CustomResources));
        return new BenchTopology("embedded (one in-process silo)", grid, 1, () => ValueTask.CompletedTask);
    }

    /// <summary>
    /// Two silo hosts in this process, clustered over loopback TCP, sharing one in-memory GCS, and a
    /// separate Orleans client host that reaches them through their gateways, as a real client does:
    /// every call from the client crosses a socket.
    /// </summary>
    /// <remarks>With <paramref name="credentials"/>, every connection (silo, gateway, object transfer) is TLS with mutual authentication, as in a <c>grid start</c> cluster.</remarks>
    public static async Task<BenchTopology> ClusterAsync(Security.ClusterCredentials? credentials = null) =>
        await (await StartClusterSilosAsync(credentials)).ConnectAsync();

    /// <summary>
    /// The two silo hosts of <see cref="ClusterAsync"/>, without the client yet. A <c>--tls</c> run starts both clusters'
    /// silos before either client connects: a client ships the bench assembly as job code, and silos started in
    /// this process after that would find the shipped copy's grain classes beside the original ones.
    /// </summary>
    public static async Task<ClusterSilos> StartClusterSilosAsync(Security.ClusterCredentials? credentials = null) =>
        await StartClusterSilosAsync(2, node => node.Resources = new(CustomResources), credentials);

    /// <summary>
    /// <paramref name="count"/> silo hosts clustered over loopback TCP, sharing one in-memory GCS, each node declaring
    /// what <paramref name="node"/> sets (the inference cases' nodes declare a GPU).
    /// </summary>
    public static async Task<ClusterSilos> StartClusterSilosAsync(int count, Action<GridNodeOptions> node, Security.ClusterCredentials? credentials = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var gcs = new InMemoryGcs();
        var clusterId = "grid-bench-" + Guid.NewGuid().ToString("N")[..8];
        var hosts = new IHost[count];
        var gateways = new int[count];
        IPEndPoint? primary = null;
        for (var i = 0; i < count; i++)
        {
            var (silo, gateway) = (FreePort(), FreePort());
            hosts[i] = await StartSiloAsync(gcs, clusterId, silo, gateway, primary, credentials, node);
            gateways[i] = gateway;
            primary ??= new IPEndPoint(IPAddress.Loopback, silo);
        }
        return new ClusterSilos(clusterId, hosts, gateways, credentials);
    }

    public sealed class ClusterSilos(string clusterId, IHost[] hosts, int[] gateways, Security.ClusterCredentials? credentials)
    {
        /// <param name="shipCode">
        /// Whether the client ships the bench assembly as job code. Off where silos will start in this process after this
        /// client connected (the inference cases run before the main topology): they have the code already, and would
        /// otherwise find the shipped copy's grain classes beside the original ones.
        /// </param>
        public async Task<BenchTopology> ConnectAsync(bool shipCode = true)
        {
            var client = await GridClient.ConnectAsync(new GridClientOptions
            {
                Gateways = [.. gateways.Select(g => $"127.0.0.1:{g}")],
                ClusterId = clusterId,
                ServiceId = "grid",
                Credentials = credentials,
                Code = new Jobs.JobCodeOptions { Enabled = shipCode },
            });
            // The client spreads tasks over the nodes it knows: wait until it sees both.
            for (var i = 0; i < 100 && (await client.GetNodesAsync()).Count(n => n.State == Wire.NodeState.Alive) < hosts.Length; i++)
                await Task.Delay(100);
            var how = credentials is null ? "" : ", TLS with mutual authentication";
            return new BenchTopology($"cluster ({hosts.Length} silo(s) over loopback TCP, client through the gateways{how})", client, hosts.Length, async () =>
            {
                foreach (var host in hosts.Reverse())
                {
                    await host.StopAsync();
                    host.Dispose();
                }
            }, [.. hosts.Select(h => h.Services)]);
        }
    }

    private static async Task<IHost> StartSiloAsync(InMemoryGcs gcs, string clusterId, int siloPort, int gatewayPort, IPEndPoint? primary, Security.ClusterCredentials? credentials,
        Action<GridNodeOptions> node)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
        builder.Services.AddSingleton<IGcs>(gcs);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId: "grid", clusterId: clusterId);
            if (credentials is not null) silo.UseGridTls(credentials);
            // Nodes on one machine would share object files (a hard link); off, cross-node figures measure the
            // network channel that nodes on different machines use.
            silo.UseGrid(node, store => store.AllowSameHostReads = false);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
