using Microsoft.Extensions.DependencyInjection;

namespace Grid.Dashboard;

/// <summary>Turns a silo into a node that serves Grid's web service (the head) or its Prometheus endpoint (any node).</summary>
public static class GridDashboardSiloBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard, the state API and job submission from this silo (the head; Ray's dashboard on 8265).
    /// Call after <c>UseGrid</c>. The bound address is in <see cref="DashboardEndpoint"/> once the host has started.
    /// </summary>
    public static ISiloBuilder UseGridDashboard(this ISiloBuilder silo, Action<DashboardOptions>? configure = null) => throw new NotImplementedException();

    /// <summary>Serves this node's metrics in Prometheus text at <c>/metrics</c>; the URL is in <c>NodeStats.MetricsUrl</c> once started.</summary>
    public static ISiloBuilder UseGridMetricsEndpoint(this ISiloBuilder silo, Action<MetricsEndpointOptions>? configure = null) => throw new NotImplementedException();
}
