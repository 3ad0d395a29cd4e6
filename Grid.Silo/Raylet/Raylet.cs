using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// The node's scheduler state (Ray's raylet): admits work against the declared resources and queues
/// what does not fit, granting queued requests in arrival order as resources come back. The
/// <see cref="RayletGrain"/> is its face to the cluster.
/// </summary>
public sealed class Raylet
{
    private static readonly Meter Meter = new("Grid.Raylet");
    private readonly Lock _lock = new();
    private readonly ResourceLedger _ledger;
    // Queued requests by resource shape (Ray's scheduling classes), so that a release looks at one
    // head per shape instead of rescanning every queued task.
    private readonly Dictionary<ResourceSet, Queue<PendingRequest>> _queues = [];
    private int _queued;
    private long _arrivals;
    private readonly ConcurrentDictionary<ObjectId, ResourceLease> _running = new();
    private readonly ConcurrentDictionary<ActorId, ResourceLease> _actors = new();
    private readonly ILogger<Raylet> _logger;
    private int _runningCount;

    public Raylet(NodeRuntime node, ILogger<Raylet> logger)
    {
        Node = node.NodeId;
        _ledger = new ResourceLedger(node.Options.ToResourceSet());
        _logger = logger;
        Meter.CreateObservableGauge("grid.raylet.queued", () => Volatile.Read(ref _queued));
        Meter.CreateObservableGauge("grid.raylet.running", () => _runningCount);
    }

    public NodeId Node { get; }
    public ResourceSet Total => _ledger.Total;
    /// <summary>Raised (outside the lock) whenever availability changes, so the cluster view can publish it.</summary>
    public event Action? Changed;

    public bool CanEverFit(ResourceSet need) => _ledger.CanEverFit(need);

    public bool HasRoomNow(ResourceSet need)
    {
        lock (_lock) return _queued == 0 && _ledger.Fits(need);
    }

    /// <summary>Acquires resources, waiting in line when they are taken.</summary>
    public ValueTask<ResourceLease> AcquireAsync(ResourceSet need, string what, CancellationToken cancellationToken = default)
    {
        if (!_ledger.CanEverFit(need))
            throw new UnschedulableException($"{what} needs {need}, but node {Node} has only {Total} in total.");
        PendingRequest pending;
        lock (_lock)
        {
            if (_queued == 0 && _ledger.Fits(need)) return ValueTask.FromResult(Grant(need));
            pending = new PendingRequest(need, what, ++_arrivals);
            if (!_queues.TryGetValue(need, out var queue)) _queues[need] = queue = new Queue<PendingRequest>();
            queue.Enqueue(pending);
            _queued++;
        }
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
        return new ValueTask<ResourceLease>(pending.Completion.Task);
    }

    private ResourceLease Grant(ResourceSet need)
    {
        var gpus = _ledger.Take(need);
        return new ResourceLease(this, need, gpus);
    }

    internal void Return(ResourceSet amount, int[] gpuIds, double gpus)
    {
        List<(PendingRequest, ResourceLease)>? granted = null;
        lock (_lock)
        {
            _ledger.Give(amount, gpuIds, gpus);
            GrantQueued(ref granted);
        }
        if (granted is not null)
            foreach (var (request, lease) in granted)
                if (!request.Completion.TrySetResult(lease)) lease.Dispose(); // cancelled meanwhile
        Changed?.Invoke();
    }

    /// <summary>
    /// Grants queued requests that fit, oldest shape head first; a shape whose head does not fit
    /// does not block other shapes behind it (a GPU task waiting does not stall CPU tasks).
    /// </summary>
    private void GrantQueued(ref List<(PendingRequest, ResourceLease)>? granted)
    {
        while (_queued > 0)
        {
            Queue<PendingRequest>? best = null;
            foreach (var queue in _queues.Values)
            {
                while (queue.TryPeek(out var head) && head.Completion.Task.IsCompleted) { queue.Dequeue(); _queued--; }
                if (queue.TryPeek(out var h) && _ledger.Fits(h.Need) && (best is null || h.Arrival < best.Peek().Arrival)) best = queue;
            }
            if (best is null) return;
            var next = best.Dequeue();
            _queued--;
            (granted ??= []).Add((next, Grant(next.Need)));
        }
    }

    /// <summary>A task back from a blocking get takes its CPUs again, overdrawing if others took them meanwhile.</summary>
    internal void Reclaim(ResourceSet amount)
    {
        lock (_lock) _ledger.TakeWithOverdraft(amount);
        Changed?.Invoke();
    }

    public void TrackTask(ObjectId task, ResourceLease lease) { _running[task] = lease; Interlocked.Increment(ref _runningCount); }
    public void UntrackTask(ObjectId task) { if (_running.TryRemove(task, out _)) Interlocked.Decrement(ref _runningCount); }
    public ResourceLease? LeaseOf(ObjectId task) => _running.GetValueOrDefault(task);

    public async Task ReserveForActorAsync(ActorId actor, ResourceSet resources)
    {
        if (_actors.ContainsKey(actor)) return;
        var lease = await AcquireAsync(resources, $"actor {actor}").ConfigureAwait(false);
        if (!_actors.TryAdd(actor, lease)) lease.Dispose();
        _logger.LogDebug("Reserved {Resources} for actor {Actor}", resources, actor);
    }

    public ResourceLease? ActorLease(ActorId actor) => _actors.GetValueOrDefault(actor);

    public void ReleaseActor(ActorId actor)
    {
        if (_actors.TryRemove(actor, out var lease)) lease.Dispose();
    }

    public NodeInfo Snapshot(IReadOnlyDictionary<string, string> labels)
    {
        lock (_lock)
            return new NodeInfo
            {
                NodeId = Node, Total = _ledger.Total, Available = _ledger.Available, Labels = labels,
                LastHeartbeat = DateTimeOffset.UtcNow, QueuedTasks = _queued,
            };
    }

    /// <summary>Why queued work waits, e.g. "waiting for resources: GPU", for status displays.</summary>
    public IReadOnlyList<string> PendingReasons()
    {
        lock (_lock)
            return _queues.Values.Where(q => q.Count > 0).Select(q => q.Peek())
                .Select(p => $"{p.What} and {_queues[p.Need].Count - 1} more like it: waiting for resources: {string.Join(", ", p.Need.MissingFrom(_ledger.Available))}").ToArray();
    }

    private sealed class PendingRequest(ResourceSet need, string what, long arrival)
    {
        public ResourceSet Need { get; } = need;
        public string What { get; } = what;
        public long Arrival { get; } = arrival;
        public TaskCompletionSource<ResourceLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
