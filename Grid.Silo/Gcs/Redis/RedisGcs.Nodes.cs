using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task UpsertNodeAsync(NodeInfo node)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        await db.ScriptEvaluateAsync(RedisScripts.UpsertNode, [_keys.Nodes, _keys.DeadNodes],
            [node.NodeId.Value, Serialize(node)]).ConfigureAwait(false);
    }

    public async Task<NodeInfo[]> GetNodesAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var entries = await db.HashGetAllAsync(_keys.Nodes).ConfigureAwait(false);
        return entries.Select(e => Deserialize<NodeInfo>(e.Value)).ToArray();
    }

    public async Task MarkNodeDeadAsync(NodeId node)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var known = DeserializeOrNull<NodeInfo>(await db.HashGetAsync(_keys.Nodes, node.Value).ConfigureAwait(false));
        if (known is null || known.State == NodeState.Dead) return;
        // The script re-checks existence and sets the dead mark and record together; a heartbeat that
        // lands between our read and the script is overwritten, and none after it is accepted.
        await db.ScriptEvaluateAsync(RedisScripts.MarkNodeDead, [_keys.Nodes, _keys.DeadNodes],
            [node.Value, Serialize(known with { State = NodeState.Dead })]).ConfigureAwait(false);
    }
}
