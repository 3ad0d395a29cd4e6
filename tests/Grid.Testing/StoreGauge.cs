using Grid.ObjectStore;

namespace Grid.Testing;

/// <summary>
/// A node's object store as a test measures it (its capacity, its use and the high-water mark of its use), for test
/// projects that cannot see the store's internal type (Grid.Data.Tests, the bench's own cases have theirs).
/// </summary>
public sealed class StoreGauge
{
    private readonly LocalObjectStore _store;

    private StoreGauge(LocalObjectStore store) => _store = store;

    /// <summary>
    /// The store of the node a client runs in: the embedded mode's one node (<c>GridClient.StartLocalAsync</c>).
    /// A client outside the cluster (a test cluster's) has no store of its own: use <see cref="Of(GridTestCluster)"/>.
    /// </summary>
    public static StoreGauge Of(GridClient grid) =>
        new(grid.Worker.LocalStore ?? throw new InvalidOperationException("This client runs in no node (a client of a cluster has no object store of its own)."));

    /// <summary>The stores of a test cluster's running silos, in the order of its silos.</summary>
    public static IReadOnlyList<StoreGauge> Of(GridTestCluster cluster) => [.. cluster.Stores().Select(s => new StoreGauge(s))];

    /// <summary>Bytes of memory the store may hold.</summary>
    public long CapacityBytes => _store.CapacityBytes;

    /// <summary>Bytes of objects in the store's memory now.</summary>
    public long UsedBytes => _store.UsedBytes;

    /// <summary>The most <see cref="UsedBytes"/> has been since the store started or <see cref="ResetPeak"/>.</summary>
    public long PeakUsedBytes => _store.PeakUsedBytes;

    /// <summary>Bytes of objects spilled to disk now.</summary>
    public long SpilledBytes => _store.SpilledBytes;

    /// <summary>Starts a new high-water mark at the bytes used now (one run's peak).</summary>
    public void ResetPeak() => _store.ResetPeak();
}
