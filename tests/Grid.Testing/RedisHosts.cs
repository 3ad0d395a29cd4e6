using System.Net;
using Grid.Hosting;
using Grid.Silo;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Testing;

/// <summary>
/// Silos and clients that join a cluster the way separate machines do: each its own Orleans host in this process, on
/// free loopback ports, finding the others through <c>UseGridRedis</c> (Redis membership and the Redis GCS). Unlike
/// <see cref="GridTestCluster"/>, nothing here is Orleans' test cluster: what is under test is the hosting itself.
/// Disposing stops every host, the last started first.
/// </summary>
public sealed class RedisHosts : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    /// <summary>
    /// Starts a silo that is a Grid node (<c>UseGrid</c>, then <c>UseGridRedis</c>: that order on purpose, since it must
    /// not matter). A host that fails to start (a wrong password, an unreachable Redis) throws here and is still
    /// disposed with the others.
    /// </summary>
    public async Task<IHost> StartSiloAsync(GridRedisOptions redis, Action<GridNodeOptions>? node = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .ConfigureEndpoints(IPAddress.Loopback, LoopbackPorts.Next(), LoopbackPorts.Next())
            .UseGrid(node)
            .UseGridRedis(redis.CopyTo));
        return await StartAsync(builder.Build());
    }

    /// <summary>Starts a plain Orleans client of the cluster (<c>UseGridRedis</c>), as a driver's process has.</summary>
    public async Task<IHost> StartClientAsync(GridRedisOptions redis)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseGridRedis(redis.CopyTo));
        return await StartAsync(builder.Build());
    }

    private async Task<IHost> StartAsync(IHost host)
    {
        lock (_hosts) _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        IHost[] hosts;
        lock (_hosts) hosts = [.. _hosts];
        foreach (var host in Enumerable.Reverse(hosts))
        {
            try { await host.StopAsync(); } catch (Exception) { /* a host that failed to start */ }
            host.Dispose();
        }
    }
}
