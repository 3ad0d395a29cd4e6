namespace Grid.Dashboard;

/// <summary>
/// The head's web service (<c>UseGridDashboard</c>): where it listens and who may use it. <c>grid start --head</c>
/// sets these from --dashboard-host, --dashboard-port and the cluster's password.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The address to listen on; loopback by default, as Ray's dashboard (0.0.0.0 for every interface).</summary>
    public string Host { get; set; } = "127.0.0.1";
    /// <summary>The port; 0 picks a free one (see <see cref="DashboardEndpoint.Url"/>).</summary>
    public int Port { get; set; } = 8265;
    /// <summary>
    /// The cluster's password: every page and API asks for it (a bearer token, or a login that sets a cookie).
    /// Null or empty: no authentication, for a cluster that has no password.
    /// </summary>
    public string? Password { get; set; }
    /// <summary>The cluster's address (its Redis, HOST:PORT): shown in the overview and given to submitted jobs as GRID_ADDRESS.</summary>
    public string ClusterAddress { get; set; } = "";
    /// <summary>How long a request waits for the GCS before it answers 503 with the reason.</summary>
    public TimeSpan GcsTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>The largest working-directory package (zip) a job may upload; larger ones are refused with 413.</summary>
    public long MaxPackageBytes { get; set; } = Jobs.JobPackages.DefaultMaxBytes;
    /// <summary>Where submitted jobs' working directories and logs live on the head (private to this user); null: under Grid's state directory.</summary>
    public string? JobsDirectory { get; set; }
}

/// <summary>A node's Prometheus endpoint (<c>UseGridMetricsEndpoint</c>): <c>GET /metrics</c>, with the cluster's password.</summary>
public sealed class MetricsEndpointOptions
{
    /// <summary>The address to listen on (a node listens where it is reached: <c>grid start</c> gives the node's own).</summary>
    public string Host { get; set; } = "127.0.0.1";
    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; set; }
    /// <summary>The cluster's password, asked of scrapers as a bearer token; null or empty: none.</summary>
    public string? Password { get; set; }
}

/// <summary>Where the web service of this silo listens once started (a port of 0 is resolved); registered by UseGridDashboard.</summary>
public sealed class DashboardEndpoint
{
    /// <summary>e.g. http://127.0.0.1:8265; null until the service has started.</summary>
    public string? Url { get; internal set; }
}
