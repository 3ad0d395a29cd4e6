using System.Collections.Concurrent;
using Grid.Grains;

namespace Grid.Silo.Placement;

/// <summary>
/// Where each created placement group's bundles live, as this node last learned it: asked of the
/// group's grain once per group and node, then answered from memory, so tasks in a group cost no
/// extra call each. A node forgets a group when its bundles here are returned, or when a node of its bundles dies.
/// </summary>
internal sealed class PlacementGroupDirectory(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<PlacementGroupId, Task<PlacementGroupInfo>> _groups = new();

    /// <summary>The created group; waits while it is pending; throws <see cref="PlacementGroupRemovedException"/> when it is gone.</summary>
    public Task<PlacementGroupInfo> GetReadyAsync(PlacementGroupId group)
    {
        var task = _groups.GetOrAdd(group, g => grains.GetGrain<IPlacementGroupGrain>(g.Value).WaitReady());
        if (task.IsFaulted || task.IsCanceled) _groups.TryRemove(KeyValuePair.Create(group, task));
        return task;
    }

    public void Forget(PlacementGroupId group) => _groups.TryRemove(group, out _);

    /// <summary>A node died: the groups with a bundle there are asked again (they reschedule it; see PlacementGroupGrain).</summary>
    public void ForgetOn(NodeId node)
    {
        foreach (var (group, known) in _groups)
            if (known.IsCompletedSuccessfully && known.Result.BundleNodes.Contains(node)) _groups.TryRemove(KeyValuePair.Create(group, known));
    }
}
