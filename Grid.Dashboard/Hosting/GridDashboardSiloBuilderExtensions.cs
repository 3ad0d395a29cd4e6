using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Grid.Dashboard;

/// <summary>Turns a silo into a node that serves Grid's web service (the head) or its Prometheus endpoint (any node).</summary>
public static class GridDashboardSiloBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard, the state API and job submission from this silo (the head; Ray's dashboard on 8265).
    /// Call after <c>UseGrid</c>. The bound address is in <see cref="DashboardEndpoint"/> once the host has started.
    /// </summary>
    public static ISiloBuilder UseGridDashboard(this ISiloBuilder silo, Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = silo.Services.AddOptions<DashboardOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        silo.Services.TryAddSingleton<DashboardEndpoint>();
        silo.Services.TryAddSingleton<DashboardServer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DashboardServer>());
        return silo;
    }

    /// <summary>Serves this node's metrics in Prometheus text at <c>/metrics</c>; the URL is in <c>NodeStats.MetricsUrl</c> once started.</summary>
    public static ISiloBuilder UseGridMetricsEndpoint(this ISiloBuilder silo, Action<MetricsEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = silo.Services.AddOptions<MetricsEndpointOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsEndpointOptions>, MetricsEndpointOptionsValidator>());
        silo.Services.TryAddSingleton<MetricsServer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<MetricsServer>());
        return silo;
    }
}
