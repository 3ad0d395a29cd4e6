using Grid.Wire;

namespace Grid.Silo.Gcs;

/// <summary>
/// The GCS in process memory, for the embedded mode (one silo) and for in-process test clusters,
/// whose silos share one instance. A lock keeps named-actor registration atomic.
/// </summary>
internal sealed class InMemoryGcs : IGcs
{
    private readonly Lock _lock = new();
    private readonly Dictionary<NodeId, NodeInfo> _nodes = [];
    private readonly Dictionary<ActorId, ActorInfo> _actors = [];
    private readonly Dictionary<(string Ns, string Name), ActorId> _names = [];
    private readonly Dictionary<ActorId, HashSet<ActorId>> _owned = []; // owner → the actors registered as its
    private readonly Dictionary<ActorId, TaskCompletionSource<ActorInfo>> _placed = [];
    private readonly Dictionary<JobId, JobInfo> _jobs = [];
    private readonly Dictionary<JobId, long> _jobLeases = [];
    private readonly Dictionary<string, SubmittedJobInfo> _submissions = new(StringComparer.Ordinal);
    private readonly Dictionary<PlacementGroupId, PlacementGroupInfo> _groups = [];
    private readonly Dictionary<string, byte[]> _packages = [];
    private readonly Dictionary<ObjectId, ObjectLocations> _objects = [];
    private readonly LinkedList<TaskEvent> _events = [];

    /// <summary>How many task events are kept; older ones are dropped first.</summary>
    public int TaskEventCapacity { get; init; } = 10_000;

    public Task UpsertNodeAsync(NodeInfo node)
    {
        lock (_lock)
        {
            // A node declared dead stays dead: a late heartbeat must not revive it.
            if (_nodes.TryGetValue(node.NodeId, out var known) && known.State == NodeState.Dead) return Task.CompletedTask;
            _nodes[node.NodeId] = node;
        }
        return Task.CompletedTask;
    }

    public Task<NodeInfo[]> GetNodesAsync()
    {
        lock (_lock) return Task.FromResult(_nodes.Values.ToArray());
    }

    public Task MarkNodeDeadAsync(NodeId node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node, out var info)) _nodes[node] = info with { State = NodeState.Dead };
        }
        return Task.CompletedTask;
    }

    public Task<ActorInfo> RegisterActorAsync(ActorInfo actor)
    {
        lock (_lock)
        {
            if (actor.Name is { } name)
            {
                if (_names.TryGetValue((actor.Namespace, name), out var existing) && _actors[existing].State != ActorState.Dead)
                    return Task.FromResult(_actors[existing]);
                _names[(actor.Namespace, name)] = actor.ActorId;
            }
            _actors[actor.ActorId] = actor;
            if (actor.OwnerActor is { } owner)
            {
                if (!_owned.TryGetValue(owner, out var owned)) _owned[owner] = owned = [];
                owned.Add(actor.ActorId);
            }
            return Task.FromResult(actor);
        }
    }

    public Task<ActorInfo[]> GetOwnedActorsAsync(ActorId owner)
    {
        lock (_lock)
            return Task.FromResult(_owned.TryGetValue(owner, out var owned) ? owned.Select(id => _actors[id]).ToArray() : []);
    }

    public Task<ActorInfo?> GetActorAsync(ActorId id)
    {
        lock (_lock) return Task.FromResult(_actors.GetValueOrDefault(id));
    }

    public Task<ActorInfo?> GetNamedActorAsync(string ns, string name)
    {
        lock (_lock)
            return Task.FromResult(_names.TryGetValue((ns, name), out var id) ? _actors.GetValueOrDefault(id) : null);
    }

    public Task UpdateActorAsync(ActorInfo actor)
    {
        TaskCompletionSource<ActorInfo>? placed;
        lock (_lock) placed = WriteActor(actor);
        placed?.TrySetResult(actor);
        return Task.CompletedTask;
    }

    public Task<bool> TryUpdateActorAsync(ActorInfo expected, ActorInfo updated)
    {
        TaskCompletionSource<ActorInfo>? placed;
        lock (_lock)
        {
            if (!_actors.TryGetValue(updated.ActorId, out var stored) || ActorFence.Of(stored) != ActorFence.Of(expected)) return Task.FromResult(false);
            placed = WriteActor(updated);
        }
        placed?.TrySetResult(updated);
        return Task.FromResult(true);
    }

    /// <summary>Under the lock: stores the record, releases a dead actor's name, and returns the placement waiters to wake.</summary>
    private TaskCompletionSource<ActorInfo>? WriteActor(ActorInfo actor)
    {
        _actors[actor.ActorId] = actor;
        if (actor is { State: ActorState.Dead, Name: { } name } && _names.TryGetValue((actor.Namespace, name), out var holder) && holder == actor.ActorId)
            _names.Remove((actor.Namespace, name));
        return ActorFence.IsSettled(actor.State) && _placed.Remove(actor.ActorId, out var placed) ? placed : null;
    }

    public Task<ActorInfo> WaitActorPlacedAsync(ActorId id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_actors.TryGetValue(id, out var actor))
                throw new ActorNotFoundException($"Actor {id} is not registered in the GCS.");
            if (ActorFence.IsSettled(actor.State)) return Task.FromResult(actor);
            if (!_placed.TryGetValue(id, out var tcs))
                _placed[id] = tcs = new TaskCompletionSource<ActorInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
            return tcs.Task.WaitAsync(cancellationToken);
        }
    }

    public Task<ActorInfo[]> GetActorsAsync()
    {
        lock (_lock) return Task.FromResult(_actors.Values.ToArray());
    }

    public Task AddJobAsync(JobInfo job)
    {
        lock (_lock)
        {
            _jobs[job.JobId] = job;
            if (job.Owner is not null && job.Status == JobStatus.Running) _jobLeases.TryAdd(job.JobId, 0);
        }
        return Task.CompletedTask;
    }

    public Task<JobInfo?> GetJobAsync(JobId id)
    {
        lock (_lock) return Task.FromResult(_jobs.GetValueOrDefault(id));
    }

    public Task<JobInfo[]> GetJobsAsync()
    {
        lock (_lock) return Task.FromResult(_jobs.Values.ToArray());
    }

    public Task FinishJobAsync(JobId id, JobStatus status)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(id, out var job) && job.Status == JobStatus.Running)
                _jobs[id] = job with { Status = status, EndTime = DateTimeOffset.UtcNow };
            _jobLeases.Remove(id);
        }
        return Task.CompletedTask;
    }

    public Task RenewJobLeaseAsync(JobId id)
    {
        lock (_lock)
        {
            if (_jobLeases.TryGetValue(id, out var renewals)) _jobLeases[id] = renewals + 1;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<JobId, long>> GetJobLeasesAsync()
    {
        lock (_lock) return Task.FromResult<IReadOnlyDictionary<JobId, long>>(new Dictionary<JobId, long>(_jobLeases));
    }

    public Task<bool> AddSubmittedJobAsync(SubmittedJobInfo job)
    {
        lock (_lock) return Task.FromResult(_submissions.TryAdd(job.Id, job));
    }

    public Task<SubmittedJobInfo?> GetSubmittedJobAsync(string id)
    {
        lock (_lock) return Task.FromResult(_submissions.GetValueOrDefault(id));
    }

    public Task<SubmittedJobInfo[]> GetSubmittedJobsAsync()
    {
        lock (_lock) return Task.FromResult(_submissions.Values.ToArray());
    }

    public Task<bool> TryUpdateSubmittedJobAsync(SubmittedJobStatus expected, SubmittedJobInfo updated)
    {
        lock (_lock)
        {
            if (!_submissions.TryGetValue(updated.Id, out var stored) || stored.Status != expected) return Task.FromResult(false);
            _submissions[updated.Id] = updated;
            return Task.FromResult(true);
        }
    }

    public Task<bool> HasCodePackageAsync(string hash)
    {
        lock (_lock) return Task.FromResult(_packages.ContainsKey(hash));
    }

    public Task PutCodePackageAsync(string hash, ReadOnlyMemory<byte> package)
    {
        lock (_lock) _packages.TryAdd(hash, package.ToArray());
        return Task.CompletedTask;
    }

    public Task<byte[]?> GetCodePackageAsync(string hash)
    {
        lock (_lock) return Task.FromResult(_packages.GetValueOrDefault(hash));
    }

    public Task AddObjectLocationAsync(ObjectId id, NodeId node, long size)
    {
        lock (_lock)
        {
            var nodes = _objects.TryGetValue(id, out var known) ? known.Nodes : [];
            if (!nodes.Contains(node)) nodes = [.. nodes, node];
            _objects[id] = new ObjectLocations { ObjectId = id, Size = size, Nodes = nodes };
        }
        return Task.CompletedTask;
    }

    public Task RemoveObjectLocationAsync(ObjectId id, NodeId node)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(id, out var known)) return Task.CompletedTask;
            var nodes = known.Nodes.Where(n => n != node).ToArray();
            if (nodes.Length == 0) _objects.Remove(id);
            else _objects[id] = known with { Nodes = nodes };
        }
        return Task.CompletedTask;
    }

    public Task RemoveObjectAsync(ObjectId id)
    {
        lock (_lock) _objects.Remove(id);
        return Task.CompletedTask;
    }

    public Task<ObjectLocations?> GetObjectLocationsAsync(ObjectId id)
    {
        lock (_lock) return Task.FromResult(_objects.GetValueOrDefault(id));
    }

    public Task AddTaskEventsAsync(IReadOnlyList<TaskEvent> events)
    {
        lock (_lock)
        {
            foreach (var e in events) _events.AddLast(e);
            while (_events.Count > TaskEventCapacity) _events.RemoveFirst();
        }
        return Task.CompletedTask;
    }

    public Task<TaskEvent[]> GetTaskEventsAsync(int limit)
    {
        lock (_lock) return Task.FromResult(_events.Skip(Math.Max(0, _events.Count - limit)).ToArray());
    }

    public Task PutPlacementGroupAsync(PlacementGroupInfo group)
    {
        lock (_lock) _groups[group.Id] = group;
        return Task.CompletedTask;
    }

    public Task<PlacementGroupInfo?> GetPlacementGroupAsync(PlacementGroupId id)
    {
        lock (_lock) return Task.FromResult(_groups.GetValueOrDefault(id));
    }

    public Task<PlacementGroupInfo[]> GetPlacementGroupsAsync()
    {
        lock (_lock) return Task.FromResult(_groups.Values.ToArray());
    }
}
