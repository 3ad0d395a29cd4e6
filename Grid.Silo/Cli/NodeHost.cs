using System.Net;
using Grid.Hosting;
using Grid.Silo.Gcs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Cli;

/// <summary>
/// Runs a node in this process until it is told to stop (<c>grid start --block</c>, and the child a
/// detached start spawns): a silo with <c>UseGrid</c> and <c>UseGridRedis</c>. SIGTERM or Ctrl+C stops
/// the silo gracefully, which leaves the cluster and marks the node dead in the GCS.
/// </summary>
internal static class NodeHost
{
    /// <summary>Set by a detached start so the child's node record names the launch it answers.</summary>
    public const string LaunchIdVariable = "GRID_LAUNCH_ID";
    public const string LogVariable = "GRID_NODE_LOG";
    /// <summary>How errors name the password setting to a command-line user.</summary>
    public const string CliPasswordName = "--password (or GRID_PASSWORD)";

    public static async Task<int> RunAsync(NodeSettings settings, GridClusterAddress cluster, bool ownsRedis)
    {
        CodePathProbing.AddDirectories(settings.CodePath);
        var ip = settings.NodeIp ?? NetworkAddresses.LocalAddressTowards(cluster.Host);
        var siloPort = settings.NodePort > 0 ? settings.NodePort : NetworkAddresses.FreePort();
        var gatewayPort = settings.GatewayPort > 0 ? settings.GatewayPort : NetworkAddresses.FreePort();

        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Orleans", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning);
        // A node drains its work and records its exit on stop; give it time before the host gives up.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.UseOrleans(silo =>
        {
            silo.UseGridRedis(cluster.ToRedisOptions(CliPasswordName).CopyTo);
            // Listen on every interface when the node is reachable from other machines; loopback-only clusters stay on loopback.
            silo.ConfigureEndpoints(ip, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(ip));
            silo.UseGrid(node =>
            {
                if (settings.NumCpus is { } cpus) node.NumCpus = cpus;
                if (settings.NumGpus is { } gpus) node.NumGpus = gpus;
                node.Resources = new(settings.Resources);
                node.Labels = new(settings.Labels);
            });
        });

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Grid.Node");
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new GridCliException($"The {settings.Role} node could not join the cluster at {cluster.Address}: {ClusterErrors.Describe(e)}");
        }

        var nodeId = host.Services.GetRequiredService<NodeRuntime>().NodeId;
        var record = new NodeRecord
        {
            Pid = Environment.ProcessId, Role = settings.Role, NodeId = nodeId.Value, ClusterAddress = cluster.Address,
            LaunchId = Environment.GetEnvironmentVariable(LaunchIdVariable), Log = Environment.GetEnvironmentVariable(LogVariable),
            StartedAt = DateTimeOffset.UtcNow,
        };
        record.Write();
        logger.LogInformation("Grid {Role} node {Node} joined the cluster at {Cluster} (silo port {SiloPort}, gateway port {GatewayPort})",
            settings.Role, nodeId, cluster.Address, siloPort, gatewayPort);
        try
        {
            await host.WaitForShutdownAsync().ConfigureAwait(false);
            logger.LogInformation("Grid {Role} node {Node} stopped", settings.Role, nodeId);
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
}
