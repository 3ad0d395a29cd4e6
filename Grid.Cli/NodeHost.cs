using Grid.Dashboard;
using Grid.Inference;
using System.Net;
using Grid.Hosting;
using Grid.Security;
using Grid.Silo.Gcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Grid.Cli;

/// <summary>
/// Runs a node in this process until it is told to stop (<c>grid start --block</c>, and the child a
/// detached start spawns): a silo with <c>UseGrid</c> and <c>UseGridRedis</c>. SIGTERM or Ctrl+C stops
/// the silo gracefully, which leaves the cluster and marks the node dead in the GCS.
/// </summary>
internal static partial class NodeHost
{
    /// <summary>Set by a detached start so the child's node record names the launch it answers.</summary>
    public const string LaunchIdVariable = "GRID_LAUNCH_ID";
    public const string LogVariable = "GRID_NODE_LOG";
    /// <summary>How errors name the password setting to a command-line user.</summary>
    public const string CliPasswordName = "--password (or GRID_PASSWORD)";

    public static async Task<int> RunAsync(NodeSettings settings, GridClusterAddress cluster, bool ownsRedis)
    {
        // Logs, node records, object and spill files hold secrets or users' data: this user's only, --block or not.
        LocalProcesses.RestrictNewFiles();
        CodePathProbing.AddDirectories(settings.CodePath);
        var ip = settings.NodeIp ?? NetworkAddresses.LocalAddressTowards(cluster.Host);
        // A node listens where it advertises itself: loopback stays loopback. Other interfaces only on request (--listen).
        var listen = settings.Listen ?? ip;
        var siloPort = settings.NodePort > 0 ? settings.NodePort : NetworkAddresses.FreePort(listen);
        var gatewayPort = settings.GatewayPort > 0 ? settings.GatewayPort : NetworkAddresses.FreePort(listen);
        var redis = cluster.ToRedisOptions(CliPasswordName);
        ClusterCredentials? credentials;
        try
        {
            // The head keeps the cluster's credentials or makes them; everyone else must find them (or "insecure").
            credentials = settings.Head
                ? await ClusterSecurity.EnsureAsync(redis, settings.Insecure).ConfigureAwait(false)
                : await ClusterSecurity.ReadAsync(redis).ConfigureAwait(false);
        }
        catch (GridException e)
        {
            throw new GridCliException($"The {settings.Role} node could not get the cluster's credentials at {cluster.Address}: {ClusterErrors.Describe(e)}");
        }

        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Orleans", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning);
        // A node drains its work and records its exit on stop; give it time before the host gives up.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        // Torch loads on a node's first torch task; it then says in this log whether models run on CUDA or the CPU.
        builder.Services.AddGridInference();
        builder.UseOrleans(silo =>
        {
            silo.UseGridRedis(redis.CopyTo);
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = ip;
                o.SiloPort = siloPort;
                o.GatewayPort = gatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(listen, siloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(listen, gatewayPort);
            });
            if (credentials is not null) silo.UseGridTls(credentials);
            silo.UseGrid(node =>
            {
                if (settings.NumCpus is { } cpus) node.NumCpus = cpus;
                if (settings.NumGpus is { } gpus) node.NumGpus = gpus;
                node.Resources = new(settings.Resources);
                node.Labels = new(settings.Labels);
            }, store => store.Network.ListenAddress = listen.ToString());
            // Every node serves its metrics where it is reached; the head also serves the cluster's web service.
            silo.UseGridMetricsEndpoint(o => { o.Host = listen.ToString(); o.Port = settings.MetricsPort; o.Password = cluster.Password; });
            if (settings.Head && settings.DashboardPort > 0)
                silo.UseGridDashboard(o =>
                {
                    o.Host = settings.DashboardHost.ToString();
                    o.Port = settings.DashboardPort;
                    o.Password = cluster.Password;
                    o.ClusterAddress = cluster.Address;
                });
        });

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Grid.Node");
        if (credentials is null) Log.Insecure(logger, cluster.Address, listen);
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new GridCliException($"The {settings.Role} node could not join the cluster at {cluster.Address}: {ClusterErrors.Describe(e)}");
        }

        var nodeId = host.Services.GetRequiredService<NodeRuntime>().NodeId;
        var endpoints = host.Services.GetRequiredService<Grid.Silo.Diagnostics.NodeEndpoints>();
        // Where `grid list` and `grid job` on this machine find the web service when given no address.
        if (endpoints.DashboardUrl is { } dashboard && CurrentCluster.TryRead() is { } current && current.Address == cluster.Address)
            (current with { DashboardUrl = dashboard }).Write();
        var record = new NodeRecord
        {
            DashboardUrl = endpoints.DashboardUrl, MetricsUrl = endpoints.MetricsUrl,
            Pid = Environment.ProcessId, Role = settings.Role, NodeId = nodeId.Value, ClusterAddress = cluster.Address,
            LaunchId = Environment.GetEnvironmentVariable(LaunchIdVariable), Log = Environment.GetEnvironmentVariable(LogVariable),
            StartedAt = DateTimeOffset.UtcNow,
        };
        record.Write();
        Log.Joined(logger, settings.Role, nodeId.Value, cluster.Address, listen, siloPort, gatewayPort, credentials is null ? "without TLS" : "TLS, mutual authentication");
        try
        {
            await host.WaitForShutdownAsync().ConfigureAwait(false);
            Log.Stopped(logger, settings.Role, nodeId.Value);
        }
        finally
        {
            NodeRecord.Remove(Environment.ProcessId);
            if (ownsRedis)
            {
                await RedisServer.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                CurrentCluster.Delete();
            }
        }
        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Warning, "INSECURE: this node's connections (silo {Listen}, gateway, object transfer) use no TLS and no authentication: " +
            "anyone who can reach its ports can join the cluster at {Cluster} and run code as this user. Started with --insecure; " +
            "do not expose these ports beyond a network you trust.")]
        public static partial void Insecure(ILogger logger, string cluster, IPAddress listen);

        [LoggerMessage(3002, LogLevel.Information, "Grid {Role} node {Node} joined the cluster at {Cluster} (listening on {Listen}: silo port {SiloPort}, gateway port {GatewayPort}; {Security})")]
        public static partial void Joined(ILogger logger, string role, string node, string cluster, IPAddress listen, int siloPort, int gatewayPort, string security);

        [LoggerMessage(3003, LogLevel.Information, "Grid {Role} node {Node} stopped")]
        public static partial void Stopped(ILogger logger, string role, string node);
    }
}
