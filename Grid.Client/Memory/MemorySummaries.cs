using Grid.Diagnostics;
using Grid.Core;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Memory;

/// <summary>
/// Builds the cluster's memory summary (Ray's <c>ray memory</c>): every live node's store lists its objects (size,
/// spilled or not, owner), then each owner is asked for the reference counts of its objects.
/// </summary>
internal static class MemorySummaries
{
    public static async Task<MemorySummary> BuildAsync(CoreWorker worker, ILogger? logger = null)
    {
        var nodes = await worker.Grains.GetGrain<IGcsGrain>(0).GetNodes().ConfigureAwait(false);
        var listed = await Task.WhenAll(nodes.Where(n => n.State == NodeState.Alive).Select(async n =>
        {
            try { return (n.NodeId, Objects: await worker.Grains.GetGrain<IObjectStoreGrain>(n.NodeId.Value).Describe().ConfigureAwait(false)); }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                if (logger is not null) ClientLog.NodeLeftDuringMemorySummary(logger, e, n.NodeId);
                return (n.NodeId, Objects: Array.Empty<StoredObjectRecord>());
            }
        })).ConfigureAwait(false);

        // A pulled copy does not know its owner; the copy the owner stored does.
        var owners = new Dictionary<ObjectId, string>();
        foreach (var (_, objects) in listed)
            foreach (var o in objects)
                if (o.Owner is { } owner) owners.TryAdd(o.Id, owner);

        var counts = new Dictionary<ObjectId, ReferenceCounts>();
        await Task.WhenAll(owners.GroupBy(o => o.Value).Select(async group =>
        {
            var ids = group.Select(g => g.Key).ToArray();
            var answer = await CountsAsync(worker, group.Key, ids, logger).ConfigureAwait(false);
            lock (counts)
                foreach (var c in answer) counts[c.Id] = c;
        })).ConfigureAwait(false);

        var rows = listed
            .SelectMany(l => l.Objects.Select(o => new MemoryRow(l.NodeId, o.Id, o.Size, owners.GetValueOrDefault(o.Id), counts.GetValueOrDefault(o.Id), o.Spilled)))
            .OrderBy(r => r.Node.Value, StringComparer.Ordinal).ThenByDescending(r => r.Size).ThenBy(r => r.Id.ToString(), StringComparer.Ordinal)
            .ToArray();
        return new MemorySummary(rows);
    }

    private static async Task<ReferenceCounts[]> CountsAsync(CoreWorker worker, string ownerText, ObjectId[] ids, ILogger? logger)
    {
        if (!GrainId.TryParse(ownerText, out var owner)) return [];
        if (owner == worker.OwnerAddress) return worker.GetReferenceCounts(ids);
        try
        {
            return await worker.Grains.GetGrain<IObjectOwner>(owner).GetReferenceCounts(ids).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A dead or unreachable owner: its rows show no counts.
            if (logger is not null) ClientLog.OwnerDidNotReportCounts(logger, e, owner);
            return [];
        }
    }
}
