using Grid.Grains;
using Microsoft.Extensions.Logging;

namespace Grid.Core.References;

/// <summary>
/// Deletes the copies of a freed stored object from every node that holds one: the node that stored it, and the
/// nodes the GCS object directory lists (those that pulled a copy). Deleting also removes a spilled copy's file.
/// </summary>
internal sealed class ObjectFreer(IGrainFactory grains, ILogger logger)
{
    private int _inFlight;

    /// <summary>Frees being carried out now (tests and shutdown wait for them).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public Task FreeAsync(ObjectId id, NodeId primary)
    {
        Interlocked.Increment(ref _inFlight);
        // Off the caller's thread: a free may start on the finalizer thread, which must never wait.
        return Task.Run(async () =>
        {
            try { await DeleteEverywhereAsync(id, primary).ConfigureAwait(false); }
            finally { Interlocked.Decrement(ref _inFlight); }
        });
    }

    private async Task DeleteEverywhereAsync(ObjectId id, NodeId primary)
    {
        var gcs = grains.GetGrain<IGcsGrain>(0);
        var nodes = new HashSet<NodeId> { primary };
        try
        {
            if (await gcs.GetObjectLocations(id).ConfigureAwait(false) is { } locations) nodes.UnionWith(locations.Nodes);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not read the locations of freed object {Object}; deleting only its first copy on {Node}", id, primary);
        }
        await Task.WhenAll(nodes.Select(async node =>
        {
            try { await grains.GetGrain<IObjectStoreGrain>(node.Value).Delete(id).ConfigureAwait(false); }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e)) { /* a dead node's copies went with it */ }
            catch (Exception e) { logger.LogWarning(e, "Node {Node} could not delete freed object {Object}", node, id); }
        })).ConfigureAwait(false);
        try
        {
            await gcs.RemoveObject(id).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Could not remove freed object {Object} from the object directory", id);
        }
    }
}
