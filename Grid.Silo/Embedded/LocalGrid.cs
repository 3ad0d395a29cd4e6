using System.Net;
using Grid.Silo;
using System.Net.Sockets;
using Grid.ObjectStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid;

/// <summary>
/// The embedded mode (Ray's <c>ray.init()</c> with no address): one real silo in this process with an in-memory GCS.
/// It is configured as any node is, with <see cref="GridNodeOptions"/> and <see cref="ObjectStoreOptions"/>.
/// </summary>
public static class LocalGrid
{
    extension(GridClient)
    {
        /// <summary>
        /// Starts Grid in this process (Ray's <c>ray.init()</c>): a real silo with an in-memory GCS, running the same
        /// grains a cluster runs, e.g. <c>StartLocalAsync(node => node.NumCpus = 4)</c>. Dispose the client to stop it.
        /// </summary>
        /// <param name="configure">The node's options (CPUs, GPUs, resources, labels…); by default it declares the machine's cores.</param>
        /// <param name="store">The object store's options (its directory, capacity…).</param>
        /// <param name="logging">Logging of the embedded silo; by default warnings and errors go to the console.</param>
        /// <param name="cancellationToken">Stops the start.</param>
        /// <param name="silo">
        /// More of the silo's configuration, applied after <c>UseGrid</c>: e.g. <c>silo: s =&gt; s.UseGridDashboard(o =&gt; o.Port = 0)</c>
        /// (Grid.Dashboard) serves the dashboard and the state API from the embedded grid.
        /// </param>
        public static Task<GridClient> StartLocalAsync(Action<GridNodeOptions>? configure = null, Action<ObjectStoreOptions>? store = null,
            Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default, Action<ISiloBuilder>? silo = null) =>
            StartAsync(configure, store, logging, silo, cancellationToken);
    }

    private static async Task<GridClient> StartAsync(Action<GridNodeOptions>? configure, Action<ObjectStoreOptions>? store,
        Action<ILoggingBuilder>? logging, Action<ISiloBuilder>? more, CancellationToken cancellationToken)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // start-up notes (ServerGC) are noise for an embedded grid
        logging?.Invoke(builder.Logging);
        builder.UseOrleans(silo =>
        {
            // Loopback ports picked free, so several embedded grids (tests, tools) can run side by side.
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "grid-local", clusterId: "grid-local-" + Guid.NewGuid().ToString("N")[..8]);
            silo.UseGrid(configure, store);
            // The one client runs in this process and ships nothing: jobs use the default context.
            silo.Services.Configure<Grid.Silo.Jobs.JobCodeNodeOptions>(o => o.LoadJobCode = false);
            more?.Invoke(silo);
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
