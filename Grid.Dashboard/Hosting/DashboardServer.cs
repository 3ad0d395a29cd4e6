using System.Net;
using Grid.Dashboard.Diagnostics;
using Grid.Dashboard.Jobs;
using Grid.Dashboard.State;
using Grid.Dashboard.Web;
using Grid.Silo;
using Grid.Silo.Diagnostics;
using Grid.Silo.Gcs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Grid.Dashboard;

/// <summary>
/// The head's web service inside its silo: a Kestrel app started once the silo is active (grain calls work) and stopped
/// first when it stops. Its container holds the web service's own parts and the silo's services its handlers use,
/// passed in as they are (<see cref="IGrainFactory"/>, <see cref="IGcs"/>, <see cref="NodeRuntime"/>…): see
/// <see cref="SiloServices"/>. The bound URL goes to <see cref="DashboardEndpoint"/> and <see cref="NodeEndpoints"/>.
/// </summary>
internal sealed class DashboardServer(IOptions<DashboardOptions> options, DashboardEndpoint endpoint, IServiceProvider silo,
    ILoggerFactory loggers) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ILogger _logger = loggers.CreateLogger("Grid.Dashboard");
    private WebApplication? _app;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DashboardServer), ServiceLifecycleStage.Active + 1, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var builder = KestrelApps.CreateBuilder(o.Host, o.Port, loggers);
        var services = builder.Services;
        SiloServices.AddTo(services, silo);
        services.AddSingleton(o);
        services.AddSingleton(endpoint);
        services.AddSingleton<GcsAccess>();
        services.AddSingleton<NodeProbe>();
        services.AddSingleton<StateReader>();
        services.AddSingleton<StateSummaries>();
        services.AddSingleton<ClusterMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMonitor>());
        services.AddGridJobs();

        var app = builder.Build();
        var gate = new PasswordGate(o.Password, logins: true);
        app.UseApiErrors(_logger);
        app.UsePasswordGate(gate, loginPage: true);
        app.MapLogin(gate, c => DashboardLog.LoginRefused(_logger, c.Connection.RemoteIpAddress?.ToString()));
        app.MapStaticAssets();
        app.MapStateEndpoints();
        app.MapJobEndpoints();

        var url = await KestrelApps.StartListeningAsync(app, "dashboard", o.Host, o.Port, Advertised(), cancellationToken).ConfigureAwait(false);
        _app = app;
        endpoint.Url = url;
        silo.GetRequiredService<NodeEndpoints>().DashboardUrl = url;
        DashboardLog.DashboardListening(_logger, url);
        if (!gate.Enabled) DashboardLog.NoPassword(_logger, "dashboard", url);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not { } app) return;
        _app = null;
        var url = endpoint.Url ?? "";
        endpoint.Url = null;
        silo.GetRequiredService<NodeEndpoints>().DashboardUrl = null;
        await KestrelApps.StopAsync(app, cancellationToken).ConfigureAwait(false);
        DashboardLog.Stopped(_logger, "dashboard", url);
    }

    private IPAddress Advertised() => silo.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.Address;
}

/// <summary>
/// The silo's services a web app's handlers may use, registered in the app's container as the silo's own instances (one
/// GCS connection, one worker, one grain factory per node: never a second copy). Add here what a route needs from the silo.
/// </summary>
internal static class SiloServices
{
    public static void AddTo(IServiceCollection services, IServiceProvider silo)
    {
        services.AddSingleton(silo.GetRequiredService<IGrainFactory>());
        services.AddSingleton(silo.GetRequiredService<IClusterClient>());
        services.AddSingleton(silo.GetRequiredService<ILocalSiloDetails>());
        services.AddSingleton(silo.GetRequiredService<IGcs>());
        services.AddSingleton(silo.GetRequiredService<NodeRuntime>());
        services.AddSingleton(silo.GetRequiredService<NodeEndpoints>());
        services.AddSingleton(silo.GetRequiredService<IOptions<GridNodeOptions>>());
        services.AddSingleton(silo.GetService<TimeProvider>() ?? TimeProvider.System);
    }
}
