using System.Net;
using Grid.Core;
using Grid.Grains;
using Grid.ObjectStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Grid.Hosting;

/// <summary>Builds GridClients over Orleans cluster clients.</summary>
public static class GridClientConnector
{
    /// <summary>Starts an Orleans client for <paramref name="options"/> and wraps it in a GridClient (one job).</summary>
    public static async Task<GridClient> ConnectAsync(GridClientOptions options, CancellationToken cancellationToken = default)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGridClient(o => Copy(options, o));
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var grid = host.Services.GetRequiredService<GridClientFactory>();
            return await grid.CreateAsync(async () =>
            {
                await host.StopAsync().ConfigureAwait(false);
                host.Dispose();
            }).ConfigureAwait(false);
        }
        catch
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds an Orleans client configured for a Grid cluster and a <see cref="GridClient"/> singleton
    /// (for ASP.NET services and workers on the generic host).
    /// </summary>
    public static IServiceCollection AddGridClient(this IServiceCollection services, Action<GridClientOptions>? configure = null)
    {
        var options = new GridClientOptions();
        configure?.Invoke(options);
        services.AddSingleton(Options.Create(options));
        services.AddOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = options.ServiceId; });
            if (options.Redis is { } redis) client.UseGridRedis(redis.CopyTo);
            else client.UseStaticClustering(options.Gateways.Select(ParseEndpoint).ToArray());
        });
        services.AddOptions<ObjectStoreOptions>();
        services.AddSingleton<GridClientFactory>();
        services.AddSingleton(sp => sp.GetRequiredService<GridClientFactory>().CreateAsync(null).GetAwaiter().GetResult());
        return services;
    }

    internal static void Copy(GridClientOptions from, GridClientOptions to)
    {
        to.Gateways = [.. from.Gateways];
        to.ClusterId = from.ClusterId;
        to.ServiceId = from.ServiceId;
        to.InlineThreshold = from.InlineThreshold;
        to.NodeRefreshInterval = from.NodeRefreshInterval;
        to.Redis = from.Redis?.Clone();
    }

    public static IPEndPoint ParseEndpoint(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port))
            throw new FormatException($"'{hostPort}' is not a HOST:PORT address.");
        var host = hostPort[..colon];
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return new IPEndPoint(address, port);
    }
}

/// <summary>Creates GridClients (each a job) over the process's Orleans cluster client.</summary>
public sealed class GridClientFactory(IClusterClient cluster, IOptions<GridClientOptions> options, IOptions<ObjectStoreOptions> storeOptions, ILoggerFactory? loggers = null)
{
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;

    public async Task<GridClient> CreateAsync(Func<ValueTask>? onDispose)
    {
        var endpoint = new ClientOwnerEndpoint();
        var ownerRef = cluster.CreateObjectReference<IClientOwner>(endpoint);
        var selector = new ClientNodeSelector(cluster, options.Value.NodeRefreshInterval);
        await selector.StartAsync().ConfigureAwait(false);
        var puller = new ObjectPuller(cluster, null, storeOptions, _loggers.CreateLogger<ObjectPuller>());
        var worker = new CoreWorker(cluster, ownerRef.GetGrainId(), selector, puller, null, null,
            _loggers.CreateLogger<CoreWorker>(), options.Value.InlineThreshold);
        endpoint.Worker = worker;
        return new GridClient(worker, JobId.New(), async () =>
        {
            selector.Dispose();
            cluster.DeleteObjectReference<IClientOwner>(ownerRef);
            if (onDispose is not null) await onDispose().ConfigureAwait(false);
        });
    }
}
