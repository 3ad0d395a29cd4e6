using Grid.Wire;

namespace Grid.Silo.Gcs;

/// <summary>
/// The GCS in process memory, for the embedded mode (one silo) and for in-process test clusters,
/// whose silos share one instance. A lock keeps named-actor registration atomic.
/// </summary>
public sealed class InMemoryGcs : IGcs
{
    private readonly Lock _lock = new();
    private readonly Dictionary<NodeId, NodeInfo> _nodes = [];
    private readonly Dictionary<ActorId, ActorInfo> _actors = [];
    private readonly Dictionary<(string Ns, string Name), ActorId> _names = [];
    private readonly Dictionary<ActorId, TaskCompletionSource<ActorInfo>> _placed = [];

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
            return Task.FromResult(actor);
        }
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
        TaskCompletionSource<ActorInfo>? placed = null;
        lock (_lock)
        {
            _actors[actor.ActorId] = actor;
            if (actor.State != ActorState.Pending && _placed.Remove(actor.ActorId, out placed)) { }
        }
        placed?.TrySetResult(actor);
        return Task.CompletedTask;
    }

    public Task<ActorInfo> WaitActorPlacedAsync(ActorId id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_actors.TryGetValue(id, out var actor))
                throw new ActorNotFoundException($"Actor {id} is not registered in the GCS.");
            if (actor.State != ActorState.Pending) return Task.FromResult(actor);
            if (!_placed.TryGetValue(id, out var tcs))
                _placed[id] = tcs = new TaskCompletionSource<ActorInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
            return tcs.Task.WaitAsync(cancellationToken);
        }
    }
}
