using StackExchange.Redis;

namespace Grid.Silo.Gcs;

/// <summary>
/// The GCS's Redis keys, all under one cluster prefix (<c>grid:{clusterId}:</c>), so clusters can share
/// a server and <c>redis-cli --scan --pattern 'grid:mycluster:*'</c> shows one cluster's state.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Hash: node id → NodeInfo.</summary>
    public RedisKey Nodes { get; } = prefix + "nodes";
    /// <summary>Set of node ids declared dead; a node in it is never revived by a late heartbeat.</summary>
    public RedisKey DeadNodes { get; } = prefix + "nodes:dead";
    /// <summary>Hash: actor id → ActorInfo.</summary>
    public RedisKey Actors { get; } = prefix + "actors";
    /// <summary>Hash: actor id → state name, readable by Lua scripts (the records are binary).</summary>
    public RedisKey ActorStates { get; } = prefix + "actors:state";
    /// <summary>Hash: actor id → <see cref="ActorFence"/> of its record, compared by the conditional update.</summary>
    public RedisKey ActorFences { get; } = prefix + "actors:fence";
    /// <summary>Hash: <see cref="NameKey"/> → actor id.</summary>
    public RedisKey ActorNames { get; } = prefix + "actors:names";
    /// <summary>Set per owner actor: the ids of the actors registered with it as <see cref="Wire.ActorInfo.OwnerActor"/>.</summary>
    public RedisKey OwnedActors(ActorId owner) => prefix + "actors:owned:" + owner.Value;
    /// <summary>Pub/sub channel: ids of actors that stopped being pending (placed or dead).</summary>
    public RedisChannel ActorPlaced { get; } = RedisChannel.Literal(prefix + "actors:placed");
    /// <summary>Hash: job id → JobInfo.</summary>
    public RedisKey Jobs { get; } = prefix + "jobs";
    /// <summary>Hash: job id → lease renewals of its running driver.</summary>
    public RedisKey JobLeases { get; } = prefix + "jobs:leases";
    /// <summary>Hash: submission id → SubmittedJobInfo (<c>grid job submit</c>).</summary>
    public RedisKey SubmittedJobs { get; } = prefix + "submissions";
    /// <summary>Hash: placement group id → PlacementGroupInfo.</summary>
    public RedisKey PlacementGroups { get; } = prefix + "placement-groups";
    /// <summary>String per code package, written once.</summary>
    public RedisKey CodePackage(string hash) => prefix + "code:" + hash;
    /// <summary>Set of node ids holding a copy of the object.</summary>
    public RedisKey ObjectNodes(ObjectId id) => prefix + "objects:" + id;
    /// <summary>Hash: object id → size in bytes.</summary>
    public RedisKey ObjectSizes { get; } = prefix + "objects:size";
    /// <summary>List of task events, oldest first, capped.</summary>
    public RedisKey TaskEvents { get; } = prefix + "task-events";

    /// <summary>"{length of ns}:{ns}:{name}": unambiguous whatever characters the namespace holds.</summary>
    public static string NameKey(string ns, string name) => $"{ns.Length}:{ns}:{name}";
}
