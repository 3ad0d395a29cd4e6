namespace Grid.Wire;

public enum NodeState : byte { Alive, Dead }

/// <summary>A node as the GCS knows it: what it declared, what is free now, and whether it lives.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeInfo
{
    [Id(0)] public required NodeId NodeId { get; init; }
    [Id(1)] public required ResourceSet Total { get; init; }
    [Id(2)] public required ResourceSet Available { get; init; }
    [Id(3)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    [Id(4)] public NodeState State { get; init; } = NodeState.Alive;
    [Id(5)] public DateTimeOffset LastHeartbeat { get; init; }
    [Id(6)] public int QueuedTasks { get; init; }
    /// <summary>The node's client gateway, "host:port" (empty for nodes without one).</summary>
    [Id(7)] public string GatewayAddress { get; init; } = "";
    [Id(8)] public string HostName { get; init; } = "";
    /// <summary>Why queued work on this node waits, e.g. "waiting for resources: GPU" (a few distinct reasons).</summary>
    [Id(9)] public string[] PendingReasons { get; init; } = [];
}

/// <summary>An actor's life: Pending until built, Alive, Restarting while a new incarnation is being placed and built, Dead.</summary>
public enum ActorState : byte { Pending, Alive, Dead, Restarting }

/// <summary>An actor as the GCS knows it.</summary>
[GenerateSerializer, Immutable]
public sealed record ActorInfo
{
    [Id(0)] public required ActorId ActorId { get; init; }
    [Id(1)] public string? Name { get; init; }
    [Id(2)] public string Namespace { get; init; } = "default";
    [Id(3)] public required string ClassName { get; init; }
    [Id(4)] public ActorState State { get; init; }
    [Id(5)] public NodeId? Node { get; init; }
    [Id(6)] public string? DeathCause { get; init; }
    [Id(7)] public required JobId Job { get; init; }
    [Id(8)] public ResourceSet Resources { get; init; } = ResourceSet.Empty;
    /// <summary>Why a pending actor is not running yet, e.g. "waiting for resources: GPU".</summary>
    [Id(9)] public string? PendingReason { get; init; }
    /// <summary>How often the actor was restarted; it is also the incarnation its callers address (see <see cref="ActorCallSpec.Incarnation"/>).</summary>
    [Id(10)] public int RestartCount { get; init; }
    /// <summary>Detached actors outlive their job; the others are killed when it ends (see <see cref="ActorLifetime"/>).</summary>
    [Id(20)] public ActorLifetime Lifetime { get; init; }
    /// <summary>
    /// The actor whose code created this one (its owner, Ray's fate-sharing); null when the job's driver or a task did.
    /// When the owner dies for good (killed with noRestart, or dead with no restarts left) a non-detached actor it owns
    /// is killed too; a restart of the owner leaves it alive.
    /// </summary>
    [Id(21)] public ActorId? OwnerActor { get; init; }
    /// <summary>See ActorOptions.MaxRestarts: 0 never, -1 forever.</summary>
    [Id(11)] public int MaxRestarts { get; init; }
    /// <summary>See ActorOptions.MaxTaskRetries: 0 never, -1 forever.</summary>
    [Id(12)] public int MaxTaskRetries { get; init; }
    /// <summary>How to build the actor again; kept only for a restartable actor (MaxRestarts not 0).</summary>
    [Id(13)] internal ActorCreationSpec? Spec { get; init; }
    /// <summary>When the node that recorded the last death (restart or end) recorded it; callers compare their sends to it.</summary>
    [Id(14)] public DateTimeOffset? DiedAt { get; init; }
    /// <summary>When the actor was first registered with the GCS (set by it; kept across restarts).</summary>
    [Id(22)] public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Whether a death of this incarnation leads to a restart rather than to Dead.</summary>
    public bool MayRestart => Spec is not null && (MaxRestarts == -1 || RestartCount < MaxRestarts);
}
