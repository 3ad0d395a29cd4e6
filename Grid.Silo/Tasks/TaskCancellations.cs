using Grid.Core;
using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>
/// The tasks on this node that can be cancelled (Ray's <c>ray.cancel</c>), from the moment the raylet takes one to
/// run here (before its arguments resolve) until it ends, and the ids of cancelled tasks that were not here when the
/// cancel came: an owner tells every node, so a task still on its way (in a batch, spilling from another node) is
/// cancelled when it arrives instead of running. Those ids are kept for the last <see cref="Remembered"/> cancels,
/// which covers any task in transit. Thread-safe.
/// </summary>
internal sealed class TaskCancellations(NodeRuntime node, Microsoft.Extensions.Logging.ILogger<TaskCancellations> logger)
{
    /// <summary>How many cancels of absent tasks a node remembers.</summary>
    public const int Remembered = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectId, TaskCancellation> _live = [];
    private readonly HashSet<ObjectId> _early = [];
    private readonly Queue<ObjectId> _earlyOrder = new();

    /// <summary>A task starts here: its cancellation, cancelled already when a cancel came before it.</summary>
    public TaskCancellation Enter(ObjectId task)
    {
        var cancellation = new TaskCancellation();
        bool early;
        lock (_lock)
        {
            early = _early.Remove(task);
            _live[task] = cancellation;
        }
        if (early) cancellation.Cancel(recursive: false);
        return cancellation;
    }

    /// <summary>The task ended here (ran, failed, was dropped or forwarded).</summary>
    public void Exit(ObjectId task, TaskCancellation cancellation)
    {
        lock (_lock)
            if (_live.TryGetValue(task, out var current) && ReferenceEquals(current, cancellation)) _live.Remove(task);
    }

    /// <summary>Cancels <paramref name="task"/> if it is here (<paramref name="running"/>: it holds its resources), else remembers it. See <c>IRayletGrain.CancelTask</c>.</summary>
    public CancelOutcome Cancel(ObjectId task, bool force, bool recursive, bool running)
    {
        TaskCancellation? cancellation;
        lock (_lock)
        {
            if (!_live.TryGetValue(task, out cancellation))
            {
                if (_early.Add(task))
                {
                    _earlyOrder.Enqueue(task);
                    if (_earlyOrder.Count > Remembered) _early.Remove(_earlyOrder.Dequeue());
                }
                return CancelOutcome.NotHere;
            }
        }
        var children = cancellation.Cancel(recursive);
        // The tasks it submitted are owned by this node's worker: it cancels them as their owner (recursively too).
        foreach (var child in children)
            _ = CancelChildAsync(child, force);
        return running ? CancelOutcome.Running : CancelOutcome.Queued;
    }

    private async Task CancelChildAsync(ObjectId child, bool force)
    {
        try { await node.Worker.CancelAsync(child, force, recursive: true, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) { Diagnostics.NodeLog.ChildCancelFailed(logger, e, child); }
    }
}
