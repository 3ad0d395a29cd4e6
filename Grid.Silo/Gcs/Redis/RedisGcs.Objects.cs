using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task AddObjectLocationAsync(ObjectId id, NodeId node, long size)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var transaction = db.CreateTransaction();
        _ = transaction.SetAddAsync(_keys.ObjectNodes(id), node.Value);
        _ = transaction.HashSetAsync(_keys.ObjectSizes, id.ToString(), size);
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    public async Task RemoveObjectLocationAsync(ObjectId id, NodeId node)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        await db.ScriptEvaluateAsync(RedisScripts.RemoveObjectLocation, [_keys.ObjectNodes(id), _keys.ObjectSizes],
            [node.Value, id.ToString()]).ConfigureAwait(false);
    }

    public async Task RemoveObjectAsync(ObjectId id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var transaction = db.CreateTransaction();
        _ = transaction.KeyDeleteAsync(_keys.ObjectNodes(id));
        _ = transaction.HashDeleteAsync(_keys.ObjectSizes, id.ToString());
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    public async Task<ObjectLocations?> GetObjectLocationsAsync(ObjectId id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var transaction = db.CreateTransaction();
        var nodes = transaction.SetMembersAsync(_keys.ObjectNodes(id));
        var size = transaction.HashGetAsync(_keys.ObjectSizes, id.ToString());
        await transaction.ExecuteAsync().ConfigureAwait(false);
        var members = await nodes.ConfigureAwait(false);
        var bytes = await size.ConfigureAwait(false);
        if (members.Length == 0 || bytes.IsNull) return null;
        return new ObjectLocations
        {
            ObjectId = id,
            Size = (long)bytes,
            Nodes = members.Select(m => new NodeId(m.ToString())).OrderBy(n => n.Value, StringComparer.Ordinal).ToArray(),
        };
    }
}
