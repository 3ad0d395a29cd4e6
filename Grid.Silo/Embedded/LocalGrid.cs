using System.Net;
using Grid.Silo;
using System.Net.Sockets;
using Grid.ObjectStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid;

/// <summary>Options of the embedded mode: one in-process silo with an in-memory GCS.</summary>
public sealed class LocalGridOptions
{
    /// <summary>CPUs the embedded node declares; defaults to the machine's cores.</summary>
    public double NumCpus { get; set; } = Environment.ProcessorCount;
    public double NumGpus { get; set; }
    public Dictionary<string, double> Resources { get; set; } = [];
    public int InlineThreshold { get; set; } = Core.CoreWorker.DefaultInlineThreshold;
    /// <summary>Where the object store keeps its memory-mapped files (default: /dev/shm or the temp dir).</summary>
    public string? ObjectStoreDirectory { get; set; }
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;
}

public static class LocalGrid
{
    extension(GridClient)
    {
        /// <summary>
        /// Starts Grid in this process (Ray's <c>ray.init()</c>): a real silo with an in-memory GCS,
        /// running the same grains a cluster runs. Dispose the client to stop it.
        /// </summary>
        public static Task<GridClient> StartLocalAsync(LocalGridOptions? options = null, CancellationToken cancellationToken = default) =>
            StartAsync(options ?? new LocalGridOptions(), cancellationToken);
    }

    private static async Task<GridClient> StartAsync(LocalGridOptions options, CancellationToken cancellationToken)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(options.LogLevel)
            .AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // start-up notes (ServerGC) are noise for an embedded grid
        builder.UseOrleans(silo =>
        {
            // Loopback ports picked free, so several embedded grids (tests, tools) can run side by side.
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "grid-local", clusterId: "grid-local-" + Guid.NewGuid().ToString("N")[..8]);
            silo.UseGrid(node =>
            {
                node.NumCpus = options.NumCpus;
                node.NumGpus = options.NumGpus;
                node.Resources = new(options.Resources);
                node.InlineThreshold = options.InlineThreshold;
            }, store =>
            {
                if (options.ObjectStoreDirectory is { } dir) store.Directory = dir;
            });
            // The one client runs in this process and ships nothing: jobs use the default context.
            silo.Services.Configure<Grid.Silo.Jobs.JobCodeNodeOptions>(o => o.LoadJobCode = false);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var node = host.Services.GetRequiredService<NodeRuntime>();
        return new GridClient(node.Worker, JobId.New(), async () =>
        {
            await host.StopAsync().ConfigureAwait(false);
            host.Dispose();
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
