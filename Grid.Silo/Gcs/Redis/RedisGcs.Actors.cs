using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task<ActorInfo> RegisterActorAsync(ActorInfo actor)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var nameKey = actor.Name is { } name ? RedisKeys.NameKey(actor.Namespace, name) : "";
        RedisKey[] keys = actor.OwnerActor is { } owner
            ? [_keys.Actors, _keys.ActorStates, _keys.ActorNames, _keys.ActorFences, _keys.OwnedActors(owner)]
            : [_keys.Actors, _keys.ActorStates, _keys.ActorNames, _keys.ActorFences];
        var existing = await db.ScriptEvaluateAsync(RedisScripts.RegisterActor, keys,
            [actor.ActorId.Value, Serialize(actor), actor.State.ToString(), nameKey, ActorFence.Of(actor)]).ConfigureAwait(false);
        return existing.IsNull ? actor : Deserialize<ActorInfo>((RedisValue)existing);
    }

    public async Task<ActorInfo?> GetActorAsync(ActorId id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        return DeserializeOrNull<ActorInfo>(await db.HashGetAsync(_keys.Actors, id.Value).ConfigureAwait(false));
    }

    public async Task<ActorInfo?> GetNamedActorAsync(string ns, string name)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var id = await db.HashGetAsync(_keys.ActorNames, RedisKeys.NameKey(ns, name)).ConfigureAwait(false);
        return id.IsNull ? null : await GetActorAsync(new ActorId(id.ToString())).ConfigureAwait(false);
    }

    public async Task<ActorInfo[]> GetOwnedActorsAsync(ActorId owner)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var ids = await db.SetMembersAsync(_keys.OwnedActors(owner)).ConfigureAwait(false);
        if (ids.Length == 0) return [];
        var records = await db.HashGetAsync(_keys.Actors, ids).ConfigureAwait(false);
        return records.Where(r => !r.IsNull).Select(r => Deserialize<ActorInfo>(r)).ToArray();
    }

    public async Task<ActorInfo[]> GetActorsAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var entries = await db.HashGetAllAsync(_keys.Actors).ConfigureAwait(false);
        return entries.Select(e => Deserialize<ActorInfo>(e.Value)).ToArray();
    }

    public Task UpdateActorAsync(ActorInfo actor) => WriteActorAsync(actor, expectedFence: "");

    public Task<bool> TryUpdateActorAsync(ActorInfo expected, ActorInfo updated) => WriteActorAsync(updated, ActorFence.Of(expected));

    private async Task<bool> WriteActorAsync(ActorInfo actor, string expectedFence)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var nameKey = actor.Name is { } name ? RedisKeys.NameKey(actor.Namespace, name) : "";
        var written = await db.ScriptEvaluateAsync(RedisScripts.UpdateActor, [_keys.Actors, _keys.ActorStates, _keys.ActorNames, _keys.ActorFences],
            [actor.ActorId.Value, Serialize(actor), actor.State.ToString(), _keys.ActorPlaced.ToString(), nameKey, ActorFence.Of(actor), expectedFence]).ConfigureAwait(false);
        return (int)written == 1;
    }
}
