using Grid.Core.Diagnostics;
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
            CoreLog.FreedObjectLocationsUnread(logger, e, id, primary);
        }
        await Task.WhenAll(nodes.Select(node => DeleteOnAsync(gcs, node, id))).ConfigureAwait(false);
        try
        {
            await gcs.RemoveObject(id).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CoreLog.FreedObjectDirectoryRemovalFailed(logger, e, id);
        }
    }

    /// <summary>Attempts at deleting one copy; the waits between them double from <see cref="FirstRetry"/>.</summary>
    private const int Attempts = 6;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Deletes the copy on <paramref name="node"/>, retrying while the node is alive. A failed call does not
    /// prove the node dead: while another silo dies (the client's gateway, say) calls to live nodes fail
    /// too, and giving up then would leave the copy in the store for good.
    /// </summary>
    private async Task DeleteOnAsync(IGcsGrain gcs, NodeId node, ObjectId id)
    {
        var wait = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IObjectStoreGrain>(node.Value).Delete(id).ConfigureAwait(false);
                return;
            }
            catch (Exception e)
            {
                if (FailureClassifier.IsNodeFailure(e) && !await IsAliveAsync(gcs, node).ConfigureAwait(false)) return; // its copies went with it
                if (attempt == Attempts)
                {
                    CoreLog.FreedObjectDeleteGaveUp(logger, e, node, id, Attempts);
                    return;
                }
                CoreLog.FreedObjectDeleteRetrying(logger, e, id, node);
            }
            await Task.Delay(wait).ConfigureAwait(false);
            wait *= 2;
        }
    }

    private static async Task<bool> IsAliveAsync(IGcsGrain gcs, NodeId node)
    {
        try { return (await gcs.GetNodes().ConfigureAwait(false)).Any(n => n.NodeId == node && n.State == Wire.NodeState.Alive); }
        catch { return true; } // unknown: keep trying
    }
}
