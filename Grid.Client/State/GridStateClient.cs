namespace Grid.State;

/// <summary>
/// Reads the cluster's state from the head's web service (Ray's <c>ray.util.state</c>: list_nodes, list_actors,
/// summarize_tasks…; <c>grid list</c> and <c>grid summary</c> are built on it). Authenticates with the cluster's
/// password (a bearer token). Errors of the service end in <see cref="GridApiException"/> with its message.
/// </summary>
public sealed class GridStateClient : IDisposable
{
    /// <param name="address">The head's web service, e.g. http://head:8265.</param>
    /// <param name="password">The cluster's password; null for a cluster without one.</param>
    public GridStateClient(string address, string? password) => throw new NotImplementedException();

    public Task<ClusterOverview> GetClusterAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>
    /// A listing: <paramref name="kind"/> is nodes, actors, tasks, objects, jobs or placement-groups; each filter is a
    /// field name and the value it must equal (case-insensitive, e.g. state=RUNNING, nodeId=…, name=…).
    /// </summary>
    public Task<Page<T>> ListAsync<T>(string kind, IReadOnlyDictionary<string, string>? filters = null, int limit = 100, int offset = 0,
        CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary><paramref name="kind"/>: tasks, actors or objects.</summary>
    public Task<StateSummary> SummarizeAsync(string kind, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public void Dispose() { }
}
