namespace Grid.Hosting;

/// <summary>How a client reaches a Grid cluster.</summary>
public sealed class GridClientOptions
{
    /// <summary>
    /// The cluster's Redis. When set, the client finds the silos' gateways there (and
    /// <see cref="Gateways"/> and <see cref="ClusterId"/> are not used); when null, it uses <see cref="Gateways"/>.
    /// </summary>
    public GridRedisOptions? Redis { get; set; }
    /// <summary>Gateway endpoints of the cluster's silos, "host:port" (Orleans gateway ports).</summary>
    public List<string> Gateways { get; set; } = ["127.0.0.1:30000"];
    public string ClusterId { get; set; } = "grid";
    public string ServiceId { get; set; } = "grid";
    /// <summary>Values up to this many bytes travel inside messages; larger ones go to an object store.</summary>
    public int InlineThreshold { get; set; } = Core.CoreWorker.DefaultInlineThreshold;
    /// <summary>How often the client re-reads the node list it spreads tasks over.</summary>
    public TimeSpan NodeRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}
