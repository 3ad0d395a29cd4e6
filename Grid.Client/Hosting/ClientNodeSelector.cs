using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Hosting;

/// <summary>
/// Spreads a client's tasks over the cluster's live nodes, round robin. Orleans would route all of a
/// client's calls through one gateway; the raylets then spill further when a node is full.
/// </summary>
internal sealed class ClientNodeSelector(IGrainFactory grains, TimeSpan refreshInterval) : INodeSelector, IDisposable
{
    private NodeId[] _nodes = [];
    private int _next;
    private Timer? _timer;

    private Task? _refreshing;

    /// <summary>
    /// Reads the live nodes from the GCS. Callers that ask while a read is under way share it: after a node's death
    /// every task it held asks at once, and one answer serves them all.
    /// </summary>
    public Task RefreshAsync()
    {
        var running = Volatile.Read(ref _refreshing);
        if (running is { IsCompleted: false }) return running;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _refreshing, mine.Task, running) != running) return Volatile.Read(ref _refreshing)!;
        _ = ReadAsync(mine);
        return mine.Task;

        async Task ReadAsync(TaskCompletionSource done)
        {
            try
            {
                await ReadNodesAsync().ConfigureAwait(false);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }
    }

    private async Task ReadNodesAsync()
    {
        var nodes = await grains.GetGrain<IGcsGrain>(0).GetNodes().ConfigureAwait(false);
        var alive = nodes.Where(n => n.State == NodeState.Alive).Select(n => n.NodeId).OrderBy(n => n.Value, StringComparer.Ordinal).ToArray();
        if (alive.Length == 0) return;
        var before = _nodes;
        _nodes = alive;
        // The view lists live members only: a node that drops out of it died or stopped.
        foreach (var gone in before.Where(n => !alive.Contains(n))) NodeLeft?.Invoke(gone);
    }

    /// <summary>Raised with each node that left the cluster view since the last refresh.</summary>
    public event Action<NodeId>? NodeLeft;

    public async Task StartAsync()
    {
        await RefreshAsync().ConfigureAwait(false);
        _timer = new Timer(_ => _ = RefreshQuietlyAsync(), null, refreshInterval, refreshInterval);
    }

    private async Task RefreshQuietlyAsync()
    {
        try { await RefreshAsync().ConfigureAwait(false); }
        catch (Exception) { /* the next tick tries again; a failing cluster surfaces on the calls themselves */ }
    }

    public NodeId Pick(IReadOnlyCollection<NodeId>? exclude = null)
    {
        var nodes = _nodes;
        if (nodes.Length == 0) throw new UnschedulableException("The cluster has no live nodes; start a node (grid start) and try again.");
        for (var tries = 0; tries < nodes.Length; tries++)
        {
            var node = nodes[(int)((uint)Interlocked.Increment(ref _next) % (uint)nodes.Length)];
            if (exclude is null || !exclude.Contains(node)) return node;
        }
        return nodes[0];
    }

    public void Dispose() => _timer?.Dispose();
}
