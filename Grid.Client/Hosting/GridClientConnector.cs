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
internal static class GridClientConnector
{
    /// <summary>Starts an Orleans client for <paramref name="options"/> and wraps it in a GridClient (one job).</summary>
    public static async Task<GridClient> ConnectAsync(GridClientOptions options, CancellationToken cancellationToken = default)
    {
        // Resolve "auto" and the environment once, up front: a missing cluster fails here with a clear message.
        GridClientOptionsValidator.ThrowIfInvalid(options);
        var resolved = Resolve(options);
        if (resolved.Redis is { } redis && !resolved.SecurityResolved)
        {
            resolved.Credentials = await ClusterSecurity.ReadAsync(redis, cancellationToken).ConfigureAwait(false);
            resolved.SecurityResolved = true;
        }
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddOrleansClient(builder.Services, resolved);
        var host = builder.Build();
        await ClientStart.StartAsync(host, resolved, cancellationToken).ConfigureAwait(false);
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
    /// Registers the Orleans client of <paramref name="options"/> (resolved: address turned into Redis settings,
    /// credentials read) and the factory of GridClients over it, in the private host <see cref="ConnectAsync"/> builds.
    /// </summary>
    private static void AddOrleansClient(IServiceCollection services, GridClientOptions options)
    {
        services.AddSingleton(Options.Create(options));
        services.AddOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = options.ServiceId; });
            if (options.Redis is { } redis)
                client.UseGridRedis(redis.CopyTo);
            else
                client.UseStaticClustering(options.Gateways.Select(ParseEndpoint).ToArray());
            if (options.Credentials is { } credentials) client.UseGridTls(credentials);
        });
        // The object-transfer channel to the nodes' stores uses the same credentials (TLS) as the gateway connections.
        services.AddOptions<ObjectStoreOptions>().Configure(o => o.Network.Credentials = options.Credentials);
        services.AddSingleton<GridClientFactory>();
    }

    /// <summary>How connect errors name the password setting to a program author.</summary>
    private const string ClientPasswordName = "the password argument of GridClient.ConnectAsync (or " + GridClusterAddress.PasswordVariable + ")";

    /// <summary>Turns a cluster address ("auto", empty for GRID_ADDRESS, "host:port") into the cluster's Redis settings.</summary>
    private static GridClientOptions Resolve(GridClientOptions options)
    {
        var resolved = new GridClientOptions();
        Copy(options, resolved);
        if (options.Redis is not null || options.Address is null) return resolved;
        var cluster = GridClusterAddress.Resolve(options.Address, options.Password,
            options.ClusterId == GridClientOptions.DefaultClusterId ? null : options.ClusterId);
        resolved.Address = cluster.Address;
        resolved.Password = cluster.Password;
        resolved.ClusterId = cluster.ClusterId;
        resolved.Redis = cluster.ToRedisOptions(ClientPasswordName);
        return resolved;
    }

    internal static void Copy(GridClientOptions from, GridClientOptions to)
    {
        to.Address = from.Address;
        to.Password = from.Password;
        to.Gateways = [.. from.Gateways];
        to.ClusterId = from.ClusterId;
        to.ServiceId = from.ServiceId;
        to.InlineThreshold = from.InlineThreshold;
        to.MaxLineageBytes = from.MaxLineageBytes;
        to.NodeRefreshInterval = from.NodeRefreshInterval;
        to.ConnectTimeout = from.ConnectTimeout;
        to.Redis = from.Redis?.Clone();
        to.Code = from.Code;
        to.Environment = from.Environment;
        to.Namespace = from.Namespace;
        to.LeaseRenewal = from.LeaseRenewal;
        to.Credentials = from.Credentials;
        to.SecurityResolved = from.SecurityResolved;
    }

    public static IPEndPoint ParseEndpoint(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port) || port is <= 0 or > 65535)
            throw new GridConnectionException($"'{hostPort}' is not a gateway address: give HOST:PORT, e.g. 127.0.0.1:30000.", hostPort);
        var host = hostPort[..colon];
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        try
        {
            return new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), port);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException)
        {
            throw new GridConnectionException($"The gateway host '{host}' does not resolve to an IPv4 address; check the name, or give an IP address.", hostPort, e);
        }
    }
}

/// <summary>Creates GridClients (each a job) over the process's Orleans cluster client.</summary>
internal sealed class GridClientFactory(IClusterClient cluster, IOptions<GridClientOptions> options, IOptions<ObjectStoreOptions> storeOptions, ILoggerFactory? loggers = null)
{
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;

    public async Task<GridClient> CreateAsync(Func<ValueTask>? onDispose)
    {
        var endpoint = new ClientOwnerEndpoint();
        var ownerRef = cluster.CreateObjectReference<IClientOwner>(endpoint);
        var selector = new ClientNodeSelector(cluster, options.Value.NodeRefreshInterval);
        await selector.StartAsync().ConfigureAwait(false);
        var objects = new ObjectManager(cluster, null, storeOptions, _loggers.CreateLogger<ObjectManager>());
        var worker = new CoreWorker(cluster, ownerRef.GetGrainId(), selector, objects, null, null,
            _loggers.CreateLogger<CoreWorker>(), options.Value.InlineThreshold) { MaxLineageBytes = options.Value.MaxLineageBytes };
        endpoint.Worker = worker;
        worker.StartOwnerMailbox();
        selector.NodeLeft += worker.OnNodeDied; // calls to it end and retry; a dead node holds nothing any more
        selector.NodeLeft += worker.ActorNodeLeft; // calls to actors that lived there stop waiting
        var leaseRenewal = options.Value.LeaseRenewal; // validated (GridClientOptionsValidator)
        var job = await Jobs.JobCodeShipper.StartJobAsync(cluster, JobId.New(), options.Value.Code, _loggers.CreateLogger("Grid.Jobs"),
            ownerRef.GetGrainId(), leaseRenewal, environment: options.Value.Environment, ns: options.Value.Namespace).ConfigureAwait(false);
        return new GridClient(worker, job.Job, async () =>
        {
            // Job end: the objects this client owns are freed on every node before the job is recorded finished.
            await worker.ShutdownReferencesAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await job.DisposeAsync().ConfigureAwait(false);
            selector.Dispose();
            cluster.DeleteObjectReference<IClientOwner>(ownerRef);
            // Orleans holds an observer weakly: this closure (kept by the GridClient) keeps the endpoint alive for
            // the client's lifetime; collected early, calls to the owner and this delete failed.
            GC.KeepAlive(endpoint);
            // Drops the mappings of node files kept for same-host puts (they hold those files' pages) and the meter.
            objects.Dispose();
            if (onDispose is not null) await onDispose().ConfigureAwait(false);
        }) { Namespace = options.Value.Namespace };
    }
}
