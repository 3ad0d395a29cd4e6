namespace Grid.Silo.Diagnostics;

/// <summary>
/// What this node serves over HTTP, set by whoever starts those servers (Grid.Dashboard's UseGridMetricsEndpoint and
/// UseGridDashboard) once they listen, and reported in <c>NodeStats</c>. One per silo.
/// </summary>
internal sealed class NodeEndpoints
{
    /// <summary>This node's Prometheus endpoint, e.g. http://10.0.0.5:41234/metrics; null when it serves none.</summary>
    public string? MetricsUrl { get; set; }
    /// <summary>The head's web service, when this node serves it (then this node is the head).</summary>
    public string? DashboardUrl { get; set; }
}
