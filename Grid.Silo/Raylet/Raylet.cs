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
    private readonly LinkedList<PendingRequest> _queue = new();
    private readonly ConcurrentDictionary<ObjectId, ResourceLease> _running = new();
    private readonly ConcurrentDictionary<ActorId, ResourceLease> _actors = new();
    private readonly ILogger<Raylet> _logger;
    private int _runningCount;

    public Raylet(NodeRuntime node, ILogger<Raylet> logger)
    {
        Node = node.NodeId;
        _ledger = new ResourceLedger(node.Options.ToResourceSet());
        _logger = logger;
        Meter.CreateObservableGauge("grid.raylet.queued", () => _queue.Count);
        Meter.CreateObservableGauge("grid.raylet.running", () => _runningCount);
    }

    public NodeId Node { get; }
    public ResourceSet Total => _ledger.Total;
    /// <summary>Raised (outside the lock) whenever availability changes, so the cluster view can publish it.</summary>
    public event Action? Changed;

    public bool CanEverFit(ResourceSet need) => _ledger.CanEverFit(need);

    public bool HasRoomNow(ResourceSet need)
    {
        lock (_lock) return _queue.Count == 0 && _ledger.Fits(need);
    }

    /// <summary>Acquires resources, waiting in line when they are taken.</summary>
    public ValueTask<ResourceLease> AcquireAsync(ResourceSet need, string what, CancellationToken cancellationToken = default)
    {
        if (!_ledger.CanEverFit(need))
            throw new UnschedulableException($"{what} needs {need}, but node {Node} has only {Total} in total.");
        PendingRequest pending;
        lock (_lock)
        {
            if (_queue.Count == 0 && _ledger.Fits(need)) return ValueTask.FromResult(Grant(need));
            pending = new PendingRequest(need, what);
            pending.Node = _queue.AddLast(pending);
        }
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() =>
            {
                lock (_lock) { if (pending.Node.List is not null) _queue.Remove(pending.Node); }
                pending.Completion.TrySetCanceled(cancellationToken);
            });
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
            // Grant in order; a request that does not fit yet does not block smaller ones behind it.
            for (var n = _queue.First; n is not null;)
            {
                var next = n.Next;
                if (_ledger.Fits(n.Value.Need))
                {
                    _queue.Remove(n);
                    (granted ??= []).Add((n.Value, Grant(n.Value.Need)));
                }
                n = next;
            }
        }
        if (granted is not null)
            foreach (var (request, lease) in granted)
                if (!request.Completion.TrySetResult(lease)) lease.Dispose();
        Changed?.Invoke();
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
                LastHeartbeat = DateTimeOffset.UtcNow, QueuedTasks = _queue.Count,
            };
    }

    /// <summary>Why queued work waits, e.g. "waiting for resources: GPU", for status displays.</summary>
    public IReadOnlyList<string> PendingReasons()
    {
        lock (_lock)
            return _queue.Select(p => $"{p.What}: waiting for resources: {string.Join(", ", p.Need.MissingFrom(_ledger.Available))}").ToArray();
    }

    private sealed class PendingRequest(ResourceSet need, string what)
    {
        public ResourceSet Need { get; } = need;
        public string What { get; } = what;
        public LinkedListNode<PendingRequest> Node { get; set; } = null!;
        public TaskCompletionSource<ResourceLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
