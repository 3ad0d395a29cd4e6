namespace Grid.Silo.Gcs;

/// <summary>
/// The GCS's Lua scripts: each runs atomically in Redis, which is what makes "two clients racing for
/// a named actor get the same one" and "a dead node stays dead" hold across processes.
/// StackExchange.Redis sends them by SHA after the first use.
/// </summary>
internal static class RedisScripts
{
    /// <summary>KEYS: nodes, dead nodes. ARGV: node id, NodeInfo. Refuses (returns 0) a node declared dead.</summary>
    public const string UpsertNode = """
        if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: nodes, dead nodes. ARGV: node id, NodeInfo marked dead. Only a known node is marked, and
    /// its record is rewritten in the same step, so readers never see "dead" and "alive" disagree.
    /// </summary>
    public const string MarkNodeDead = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('SADD', KEYS[2], ARGV[1])
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: actors, actor states, actor names, actor fences, and the owner's owned-actors set when the actor has an
    /// owner actor. ARGV: actor id, ActorInfo, state, name key ('' if unnamed), fence.
    /// A named actor whose name a live (not dead) actor holds is not registered; that actor's record is
    /// returned instead. Otherwise registers (adding the id to its owner's set) and returns nil.
    /// </summary>
    public const string RegisterActor = """
        if ARGV[4] ~= '' then
            local existing = redis.call('HGET', KEYS[3], ARGV[4])
            if existing and existing ~= ARGV[1] and redis.call('HGET', KEYS[2], existing) ~= 'Dead' then
                local record = redis.call('HGET', KEYS[1], existing)
                if record then return record end
            end
            redis.call('HSET', KEYS[3], ARGV[4], ARGV[1])
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
        if KEYS[5] then redis.call('SADD', KEYS[5], ARGV[1]) end
        return false
        """;

    /// <summary>
    /// KEYS: actors, actor states, actor names, actor fences. ARGV: actor id, ActorInfo, state, placed channel,
    /// name key ('' if unnamed), new fence, expected fence ('' writes unconditionally). Writes only if the stored
    /// fence is the expected one (returns 0 otherwise). A Dead record releases its name if the name still maps to
    /// it. Publishes the id when the actor is alive or dead, after the write, so a woken waiter reads the new record.
    /// </summary>
    public const string UpdateActor = """
        if ARGV[7] ~= '' and redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[7] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[4], ARGV[1], ARGV[6])
        if ARGV[3] == 'Dead' and ARGV[5] ~= '' and redis.call('HGET', KEYS[3], ARGV[5]) == ARGV[1] then redis.call('HDEL', KEYS[3], ARGV[5]) end
        if ARGV[3] == 'Alive' or ARGV[3] == 'Dead' then redis.call('PUBLISH', ARGV[4], ARGV[1]) end
        return 1
        """;

    /// <summary>
    /// KEYS: object's node set, object sizes. ARGV: node id, object id. Removes one location and, with
    /// the last one, the object's size, so an object is listed exactly while some node holds it.
    /// </summary>
    public const string RemoveObjectLocation = """
        redis.call('SREM', KEYS[1], ARGV[1])
        if redis.call('SCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
        return 1
        """;

    /// <summary>KEYS: job leases. ARGV: job id. Counts a renewal of a lease that exists (the job is running); else nothing.</summary>
    public const string RenewJobLease = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
        """;
}
