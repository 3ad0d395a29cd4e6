using Grid.Silo.Diagnostics;
using System.Collections.Concurrent;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// The node's scheduler state (Ray's raylet): admits work against the declared resources and queues
/// what does not fit, granting queued requests in arrival order as resources come back. The
/// <see cref="RayletGrain"/> is its face to the cluster.
/// </summary>
internal sealed class NodeScheduler
{
    private readonly Lock _lock = new();
    private readonly ResourceLedger _ledger;
    // Queued requests by resource shape (Ray's scheduling classes), so that a release looks at one
    // head per shape instead of rescanning every queued task.
    private readonly Dictionary<ResourceSet, Queue<PendingRequest>> _queues = [];
    private int _queued;
    private long _arrivals;
    private readonly ConcurrentDictionary<ObjectId, ResourceLease> _running = new();
    private readonly ConcurrentDictionary<ActorId, ResourceLease> _actors = new();
    // Bundles of placement groups reserved here: what each took from the node (returned on removal).
    private readonly Dictionary<(PlacementGroupId Group, int Index), ResourceLease> _bundles = [];
    private readonly InfeasibleWork _infeasible;
    private readonly ILogger<NodeScheduler> _logger;

    public NodeScheduler(NodeRuntime node, ILogger<NodeScheduler> logger)
    {
        Node = node.NodeId;
        // Every node also offers one unit of "node:<id>", so a program can pin work to a node by resource (as in Ray).
        _ledger = new ResourceLedger(node.Options.ToResourceSet().Add(ResourceSet.Of((NodeResource(Node), 1))));
        _infeasible = new InfeasibleWork(logger, () => Changed?.Invoke());
        _logger = logger;
    }

    /// <summary>The resource every node has one unit of, named after it: "node:&lt;id&gt;".</summary>
    public static string NodeResource(NodeId node) => "node:" + node.Value;

    public NodeId Node { get; }
    public ResourceSet Total { get { lock (_lock) return _ledger.Total; } }
    /// <summary>Work that no node of the cluster can run now, waiting for one that can to join.</summary>
    public InfeasibleWork Infeasible => _infeasible;
    /// <summary>Raised (outside the lock) whenever availability changes, so the cluster view can publish it.</summary>
    public event Action? Changed;

    public bool CanEverFit(ResourceSet need)
    {
        lock (_lock) return _ledger.CanEverFit(need);
    }

    public bool HasRoomNow(ResourceSet need)
    {
        lock (_lock) return _queued == 0 && _ledger.Fits(need);
    }

    /// <summary>Acquires resources, waiting in line when they are taken.</summary>
    /// <param name="what">What asks, for messages: a string, or the <see cref="TaskSpec"/> of a task (described only when needed, not per task).</param>
    /// <param name="cancellation">A task's cancellation: cancelling it while the task waits in line withdraws the request.</param>
    public ValueTask<ResourceLease> AcquireAsync(ResourceSet need, object what, CancellationToken cancellationToken = default, Core.TaskCancellation? cancellation = null)
    {
        PendingRequest pending;
        lock (_lock)
        {
            if (!_ledger.CanEverFit(need))
                throw new UnschedulableException($"{Describe(what)} needs {need}, but node {Node} has only {_ledger.Total} in total.");
            if (_queued == 0 && _ledger.Fits(need)) return ValueTask.FromResult(Grant(need));
            pending = new PendingRequest(need, Describe(what), ++_arrivals);
            if (!_queues.TryGetValue(need, out var queue)) _queues[need] = queue = new Queue<PendingRequest>();
            queue.Enqueue(pending);
            _queued++;
        }
        Changed?.Invoke(); // the queue and its reasons are part of what the node publishes
        // A cancelled request is skipped by the queue. A task's cancel withdraws it directly (no registration to undo).
        cancellation?.OnCancel(pending);
        if (cancellationToken.CanBeCanceled)
        {
            // A long-lived token (a job's) sees many requests: each registration goes once its request is decided.
            var registration = cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
            pending.Completion.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return new ValueTask<ResourceLease>(pending.Completion.Task);
    }

    private static readonly string GroupGpuPrefix = ResourceSet.Gpu + "_group_";

    private static string Describe(object what) => what is TaskSpec task ? $"task {task.DisplayName}" : what.ToString() ?? "";

    private ResourceLease Grant(ResourceSet need)
    {
        var gpus = _ledger.Take(need);
        var lease = new ResourceLease(this, need, gpus);
        // Work inside a placement group sees the GPUs its bundle holds.
        if (gpus.Length == 0 && !need.IsPlain && need.Names.Any(static n => n.StartsWith(GroupGpuPrefix, StringComparison.Ordinal)))
            lease.GpuIds = BundleGpus(need);
        return lease;
    }

    private int[] BundleGpus(ResourceSet need) =>
        _bundles.Where(b => need.Contains(BundleResources.Indexed(ResourceSet.Gpu, b.Key.Index, b.Key.Group))
                || need.Contains(BundleResources.Wildcard(ResourceSet.Gpu, b.Key.Group)) && !need.Names.Any(n => n.StartsWith(ResourceSet.Gpu + "_group_", StringComparison.Ordinal) && n != BundleResources.Wildcard(ResourceSet.Gpu, b.Key.Group)))
            .SelectMany(b => b.Value.GpuIds).Distinct().Order().ToArray();

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

    public void TrackTask(ObjectId task, ResourceLease lease) => _running[task] = lease;
    public void UntrackTask(ObjectId task) => _running.TryRemove(task, out _);
    public ResourceLease? LeaseOf(ObjectId task) => _running.GetValueOrDefault(task);

    /// <summary>Reserves a placement group's bundle if it fits now; its resources reappear under the group's names.</summary>
    public bool TryReserveBundle(PlacementGroupId group, int index, ResourceSet bundle)
    {
        lock (_lock)
        {
            if (_bundles.ContainsKey((group, index))) return true;
            if (!_ledger.Fits(bundle)) return false;
            var lease = Grant(bundle);
            _bundles[(group, index)] = lease;
            _ledger.Grow(BundleResources.Reserved(bundle, index, group));
        }
        if (_logger.IsEnabled(LogLevel.Information)) NodeLog.BundleReserved(_logger, index, group, bundle);
        Changed?.Invoke();
        return true;
    }

    /// <summary>
    /// Returns every bundle of <paramref name="group"/>: the group's resources leave the ledger, its
    /// queued work fails, its running tasks are revoked, and the actors living in it are answered
    /// (the caller kills them). The resources the bundles took go back to the node.
    /// </summary>
    public ActorId[] ReturnBundles(PlacementGroupId group)
    {
        List<ResourceLease> bundles;
        List<PendingRequest> failed = [];
        lock (_lock)
        {
            bundles = [.. _bundles.Where(b => b.Key.Group == group).Select(b => b.Value)];
            foreach (var key in _bundles.Keys.Where(k => k.Group == group).ToArray()) _bundles.Remove(key);
            _ledger.Shrink(name => BundleResources.BelongsTo(name, group));
            foreach (var (shape, queue) in _queues.Where(q => q.Key.Names.Any(n => BundleResources.BelongsTo(n, group))).ToArray())
            {
                failed.AddRange(queue.Where(p => !p.Completion.Task.IsCompleted));
                _queued -= queue.Count;
                _queues.Remove(shape);
            }
        }
        foreach (var p in failed)
            p.Completion.TrySetException(new PlacementGroupRemovedException($"Placement group {group} was removed before {p.What} could start in it."));
        foreach (var lease in _running.Values.Where(l => InGroup(l, group))) lease.Revoke();
        var actors = _actors.Where(a => InGroup(a.Value, group)).Select(a => a.Key).ToArray();
        foreach (var bundle in bundles) bundle.Dispose();
        if (bundles.Count > 0 && _logger.IsEnabled(LogLevel.Information)) NodeLog.BundlesReturned(_logger, bundles.Count, group);
        Changed?.Invoke();
        return actors;
    }

    private static bool InGroup(ResourceLease lease, PlacementGroupId group) => lease.Resources.Names.Any(n => BundleResources.BelongsTo(n, group));

    public async Task ReserveForActorAsync(ActorId actor, ResourceSet resources)
    {
        if (_actors.ContainsKey(actor)) return;
        var lease = await AcquireAsync(resources, $"actor {actor}").ConfigureAwait(false);
        if (!_actors.TryAdd(actor, lease)) lease.Dispose();
        else WorkerThreads.ActorStarted();
        NodeLog.ActorResourcesReserved(_logger, resources, actor);
    }

    public ResourceLease? ActorLease(ActorId actor) => _actors.GetValueOrDefault(actor);

    public void ReleaseActor(ActorId actor)
    {
        if (!_actors.TryRemove(actor, out var lease)) return;
        lease.Dispose();
        WorkerThreads.ActorStopped();
    }

    /// <summary>This node as the GCS and the scheduler see it; <paramref name="withReasons"/> adds the pending reasons (for publishing).</summary>
    public NodeInfo Snapshot(IReadOnlyDictionary<string, string> labels, bool withReasons = true)
    {
        lock (_lock)
            return new NodeInfo
            {
                NodeId = Node, Total = _ledger.Total, Available = _ledger.Available, Labels = labels,
                LastHeartbeat = DateTimeOffset.UtcNow, QueuedTasks = _queued,
                PendingReasons = withReasons ? [.. PendingReasonsLocked(), .. _infeasible.Reasons()] : [],
            };
    }

    /// <summary>Why queued work waits, e.g. "waiting for resources: GPU", for status displays.</summary>
    public IReadOnlyList<string> PendingReasons()
    {
        lock (_lock) return [.. PendingReasonsLocked(), .. _infeasible.Reasons()];
    }

    /// <summary>Requests waiting in this node's queue for resources (tasks and actor reservations).</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>Actors whose resources are reserved on this node (built or being built).</summary>
    public int ReservedActorCount => _actors.Count;

    /// <summary>What the node declares and what is free now, read together.</summary>
    public (ResourceSet Total, ResourceSet Available) Resources()
    {
        lock (_lock) return (_ledger.Total, _ledger.Available);
    }

    /// <summary>
    /// Queued requests counted by why they wait ("waiting for resources: GPU", …; few distinct reasons, one per missing
    /// resource mix), and work that no node can run as "infeasible": the metrics' pending reasons.
    /// </summary>
    public Dictionary<string, int> PendingByReason()
    {
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_lock)
            foreach (var queue in _queues.Values)
            {
                var waiting = 0;
                PendingRequest? head = null;
                foreach (var p in queue)
                    if (!p.Completion.Task.IsCompleted) { waiting++; head ??= p; }
                if (head is null) continue;
                var reason = WaitingFor(head.Need);
                reasons[reason] = reasons.GetValueOrDefault(reason) + waiting;
            }
        if (_infeasible.Count is > 0 and var infeasible) reasons["infeasible"] = infeasible;
        return reasons;
    }

    /// <summary>"waiting for resources: GPU" for a request that does not fit what is free now.</summary>
    public string WaitingReason(ResourceSet need)
    {
        lock (_lock) return WaitingFor(need);
    }

    private string WaitingFor(ResourceSet need)
    {
        var missing = need.MissingFrom(_ledger.Available).ToArray();
        return missing.Length == 0 ? "waiting in line for resources" : $"waiting for resources: {string.Join(", ", missing)}";
    }

    private IEnumerable<string> PendingReasonsLocked()
    {
        foreach (var queue in _queues.Values)
        {
            var head = queue.FirstOrDefault(p => !p.Completion.Task.IsCompleted);
            if (head is null) continue;
            var more = queue.Count(p => !p.Completion.Task.IsCompleted) - 1;
            yield return $"{head.What}{(more > 0 ? $" and {more} more like it" : "")}: {WaitingFor(head.Need)}";
        }
    }

    private sealed class PendingRequest(ResourceSet need, string what, long arrival) : Core.IWithdrawable
    {
        public void Withdraw() => Completion.TrySetCanceled();

        public ResourceSet Need { get; } = need;
        public string What { get; } = what;
        public long Arrival { get; } = arrival;
        public TaskCompletionSource<ResourceLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
