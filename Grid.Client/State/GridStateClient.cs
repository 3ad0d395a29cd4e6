using System.Globalization;
using System.Text;

namespace Grid.State;

/// <summary>
/// Reads the cluster's state from the head's web service (Ray's <c>ray.util.state</c>: list_nodes, list_actors,
/// summarize_tasks…; <c>grid list</c> and <c>grid summary</c> are built on it). Authenticates with the cluster's
/// password (a bearer token). Errors of the service end in <see cref="GridApiException"/> with its message.
/// </summary>
public sealed class GridStateClient : IDisposable
{
    /// <summary>The listings the state API serves.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["nodes", "actors", "tasks", "objects", "jobs", "placement-groups"];

    /// <summary>The summaries the state API serves.</summary>
    public static readonly IReadOnlyList<string> SummaryKinds = ["tasks", "actors", "objects"];

    private readonly HeadApi _api;

    /// <param name="address">The head's web service, e.g. http://head:8265.</param>
    /// <param name="password">The cluster's password; null for a cluster without one.</param>
    public GridStateClient(string address, string? password) => _api = new HeadApi(address, password);

    /// <summary>The web service's address, e.g. http://head:8265.</summary>
    public string Address => _api.Address;

    public Task<ClusterOverview> GetClusterAsync(CancellationToken cancellationToken = default) =>
        _api.GetAsync<ClusterOverview>("api/cluster", cancellationToken);

    /// <summary>
    /// A listing: <paramref name="kind"/> is one of <see cref="Kinds"/>; each filter is a field name and the value it must
    /// equal (case-insensitive, e.g. state=RUNNING, nodeId=…, name=…).
    /// </summary>
    public Task<Page<T>> ListAsync<T>(string kind, IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0,
        CancellationToken cancellationToken = default)
    {
        if (!Kinds.Contains(kind)) throw new ArgumentException($"'{kind}' is not a listing; choose one of {string.Join(", ", Kinds)}.", nameof(kind));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"api/{kind}?limit={limit}&offset={offset}"));
        foreach (var (field, value) in filters ?? new Dictionary<string, string>())
            query.Append('&').Append(Uri.EscapeDataString(field)).Append('=').Append(Uri.EscapeDataString(value));
        return _api.GetAsync<Page<T>>(query.ToString(), cancellationToken);
    }

    public Task<Page<NodeView>> ListNodesAsync(IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync<NodeView>("nodes", filters, limit, offset, cancellationToken);

    public Task<Page<ActorView>> ListActorsAsync(IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync<ActorView>("actors", filters, limit, offset, cancellationToken);

    public Task<Page<TaskView>> ListTasksAsync(IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync<TaskView>("tasks", filters, limit, offset, cancellationToken);

    public Task<Page<ObjectView>> ListObjectsAsync(IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync<ObjectView>("objects", filters, limit, offset, cancellationToken);

    public Task<Page<JobView>> ListJobsAsync(IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync<JobView>("jobs", filters, limit, offset, cancellationToken);

    public Task<Page<PlacementGroupView>> ListPlacementGroupsAsync(IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync<PlacementGroupView>("placement-groups", filters, limit, offset, cancellationToken);

    /// <summary><paramref name="kind"/>: one of <see cref="SummaryKinds"/>.</summary>
    public Task<StateSummary> SummarizeAsync(string kind, CancellationToken cancellationToken = default)
    {
        if (!SummaryKinds.Contains(kind)) throw new ArgumentException($"'{kind}' cannot be summarized; choose one of {string.Join(", ", SummaryKinds)}.", nameof(kind));
        return _api.GetAsync<StateSummary>($"api/summary/{kind}", cancellationToken);
    }

    public void Dispose() => _api.Dispose();
}
