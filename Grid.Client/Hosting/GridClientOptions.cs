namespace Grid.Hosting;

/// <summary>How a client reaches a Grid cluster.</summary>
public sealed class GridClientOptions
{
    public const string DefaultClusterId = "grid";

    /// <summary>
    /// The cluster's address: the head's Redis as "host:port" (what <c>grid start --head</c> prints), or
    /// "auto" for the cluster started on this machine, or empty for <c>GRID_ADDRESS</c> (else "auto").
    /// When not null, the client finds the nodes through the cluster's membership in Redis (it becomes
    /// <see cref="Redis"/>) and <see cref="Gateways"/> is not used.
    /// </summary>
    public string? Address { get; set; }
    /// <summary>The cluster's password (the head's <c>--password</c>); null: <c>GRID_PASSWORD</c>, or the one "auto" finds.</summary>
    public string? Password { get; set; }
    /// <summary>
    /// The cluster's Redis in full (database, timeouts…), for hosts that configure it themselves. When
    /// set, the client finds the silos' gateways there (and <see cref="Address"/>, <see cref="Gateways"/>
    /// and <see cref="ClusterId"/> are not used).
    /// </summary>
    public GridRedisOptions? Redis { get; set; }
    /// <summary>Gateway endpoints of the cluster's silos, "host:port" (Orleans gateway ports), for clusters without Redis.</summary>
    public List<string> Gateways { get; set; } = ["127.0.0.1:30000"];
    public string ClusterId { get; set; } = DefaultClusterId;
    public string ServiceId { get; set; } = "grid";
    /// <summary>Values up to this many bytes travel inside messages; larger ones go to an object store.</summary>
    public int InlineThreshold { get; set; } = Core.CoreWorker.DefaultInlineThreshold;
    /// <summary>
    /// The most bytes of task specs this client keeps as lineage, to rebuild the stored results it owns when their node
    /// dies (Ray's <c>max_lineage_bytes</c>). A result submitted past it cannot be rebuilt: its loss is an
    /// <see cref="ObjectLostException"/>. A spec's bytes are released when its result is freed.
    /// </summary>
    public long MaxLineageBytes { get; set; } = Core.CoreWorker.DefaultMaxLineageBytes;
    /// <summary>How long connecting may take before it fails with <see cref="GridConnectionException"/> (or <see cref="GridAuthenticationException"/> when a gateway wants credentials this client lacks).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How often the client re-reads the node list it spreads tasks over.</summary>
    public TimeSpan NodeRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How often the client renews its job's lease in the GCS. Nodes end the job of a client that renewed nothing for
    /// their <c>GridNodeOptions.ClientTimeout</c> (30 s by default): keep this several times shorter.
    /// </summary>
    public TimeSpan LeaseRenewal { get; set; } = GridClientOptionsDefaults.LeaseRenewal;
    /// <summary>
    /// The job's environment variables (Ray's <c>runtime_env={"env_vars": …}</c>): its tasks and actors read them on any
    /// node, nested tasks included, as <c>GridContext.Current.Environment</c>; other jobs do not see them. They travel
    /// once, in the job's record in the GCS, and are not set in the node's process (it runs many jobs' tasks), so
    /// <c>System.Environment.GetEnvironmentVariable</c> does not see them. Names must be non-empty and without '='.
    /// Values may be secrets: Grid never logs them (they are stored in the GCS, whose Redis traffic is not encrypted).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; set; }
    /// <summary>
    /// The job's namespace (Ray's <c>ray.init(namespace=…)</c>): named actors this client creates or looks up without
    /// naming a namespace live in it, also those created by its tasks and actors. Clients of one namespace share its
    /// named actors; the same name in two namespaces is two actors. Must not be empty or blank; "default" by default.
    /// </summary>
    public string Namespace { get; set; } = Wire.JobInfo.DefaultNamespace;
    /// <summary>Which application assemblies the job ships to the cluster on connect (code travels with the job).</summary>
    public Jobs.JobCodeOptions Code { get; set; } = new();
    /// <summary>
    /// The cluster's TLS credentials. Null: a client that connects through the cluster's Redis (<see cref="Address"/>
    /// or <see cref="Redis"/>) reads them there with the password; one given only <see cref="Gateways"/> connects
    /// without TLS, which a cluster started by <c>grid start</c> refuses unless it runs <c>--insecure</c>.
    /// </summary>
    public Security.ClusterCredentials? Credentials { get; set; }
    /// <summary>Set once the cluster's security record was read (<see cref="Credentials"/> then is final, null for an insecure cluster).</summary>
    internal bool SecurityResolved { get; set; }
}

internal static class GridClientOptionsDefaults
{
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(2);
}
