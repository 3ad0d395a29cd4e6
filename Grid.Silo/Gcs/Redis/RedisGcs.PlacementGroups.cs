using Grid.Wire;

namespace Grid.Silo.Gcs;

internal sealed partial class RedisGcs
{
    public async Task PutPlacementGroupAsync(PlacementGroupInfo group)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        await db.HashSetAsync(_keys.PlacementGroups, group.Id.Value, Serialize(group)).ConfigureAwait(false);
    }

    public async Task<PlacementGroupInfo?> GetPlacementGroupAsync(PlacementGroupId id)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        return DeserializeOrNull<PlacementGroupInfo>(await db.HashGetAsync(_keys.PlacementGroups, id.Value).ConfigureAwait(false));
    }

    public async Task<PlacementGroupInfo[]> GetPlacementGroupsAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var entries = await db.HashGetAllAsync(_keys.PlacementGroups).ConfigureAwait(false);
        return [.. entries.Select(e => Deserialize<PlacementGroupInfo>(e.Value))];
    }
}
