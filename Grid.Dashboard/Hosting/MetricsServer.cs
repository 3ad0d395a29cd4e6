using Grid.Dashboard.Diagnostics;
using Grid.Dashboard.Web;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Orleans.Runtime;

namespace Grid.Dashboard;

/// <summary>
/// A node's Prometheus endpoint inside its silo: a Kestrel app serving <c>GET /metrics</c> (OpenTelemetry's Prometheus
/// exporter over the runtime's and the object store's meters), with the cluster's password as a bearer token. Started
/// with the silo's application services, before the node joins (it needs no grain), so a node that is alive in the
/// cluster serves its metrics and a stop right after the join is an ordinary stop; stopped after the node has left; its URL goes to <see cref="NodeEndpoints.MetricsUrl"/> (and so to
/// <c>NodeStats.MetricsUrl</c> and the head's Prometheus targets).
/// </summary>
/// <remarks>
/// A MeterProvider listens to every meter of its name in the process: where several nodes share one process (tests, the
/// embedded mode beside a cluster) each endpoint shows them all, told apart by their node tag.
/// </remarks>
internal sealed class MetricsServer(IOptions<MetricsEndpointOptions> options, NodeRuntime node, NodeEndpoints endpoints,
    ILocalSiloDetails silo, ILoggerFactory loggers) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ILogger _logger = loggers.CreateLogger("Grid.Dashboard.Metrics");
    private WebApplication? _app;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MetricsServer), ServiceLifecycleStage.ApplicationServices, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var builder = KestrelApps.CreateBuilder(o.Host, o.Port, loggers);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GridMetrics.MeterName, ObjectStoreMeter.Name)
            // Every scrape sees the figures of that moment.
            .AddPrometheusExporter(p => p.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();
        var gate = new PasswordGate(o.Password, logins: false);
        app.UseApiErrors(_logger);
        app.UsePasswordGate(gate, loginPage: false);
        app.MapPrometheusScrapingEndpoint("/metrics");

        var url = await KestrelApps.StartListeningAsync(app, "metrics endpoint", o.Host, o.Port, silo.SiloAddress.Endpoint.Address, cancellationToken).ConfigureAwait(false) + "/metrics";
        _app = app;
        endpoints.MetricsUrl = url;
        DashboardLog.MetricsListening(_logger, node.NodeId, url);
        if (!gate.Enabled) DashboardLog.NoPassword(_logger, "metrics endpoint", url);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not { } app) return;
        _app = null;
        var url = endpoints.MetricsUrl ?? "";
        endpoints.MetricsUrl = null;
        await KestrelApps.StopAsync(app, cancellationToken).ConfigureAwait(false);
        DashboardLog.Stopped(_logger, "metrics endpoint", url);
    }
}
