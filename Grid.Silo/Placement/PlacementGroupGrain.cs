using Grid.Core;
using Grid.Grains;
using Grid.Silo.Raylet;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Placement;

/// <summary>
/// One placement group. Its state lives in this grain rather than in the GCS: the reservation is a
/// short two-step protocol (reserve every bundle, or return those reserved and retry) that needs a
/// single writer, which a grain is, and the GCS contract belongs to the cluster's control store
/// (nodes, actors, jobs), not to scheduling. The cost: a group whose grain's silo dies is lost (its
/// bundles stay reserved until their nodes go too); a GCS-backed table can replace this grain's
/// fields without changing its interface.
/// The grain is placed on the silo that receives the creation (the client's gateway for this group), and
/// its bundles go to that node when the strategy allows (see <see cref="BundlePlanner"/>): then creating,
/// readiness and removal cost the client two calls and no message between nodes.
/// </summary>
[Reentrant, KeepAlive, Orleans.Placement.PreferLocalPlacement]
internal sealed class PlacementGroupGrain(ClusterView view, BundleReservations local, ILogger<PlacementGroupGrain> logger) : Grain, IPlacementGroupGrain
{
    private PlacementGroupInfo? _info;
    private readonly TaskCompletionSource<PlacementGroupInfo> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completes when the first try to reserve every bundle has succeeded or failed (or the group was removed).
    private readonly TaskCompletionSource _firstAttempt = new();
    private bool _removed;
    private Task? _scheduling;
    private PlacementGroupId? _id;

    private PlacementGroupId Id => _id ??= new(this.GetPrimaryKeyString());

    public async Task<PlacementGroupInfo> Create(PlacementGroupInfo group)
    {
        if (_info is null)
        {
            _info = group with { State = PlacementGroupState.Pending, BundleNodes = [], PendingReason = "not scheduled yet" };
            _scheduling = ScheduleAsync();
        }
        // The first try decides most groups at once (on this node without a message, on another with one): the
        // creator learns "created" from this reply instead of asking again. A group that must wait answers pending.
        await _firstAttempt.Task;
        return _info;
    }

    /// <summary>Tries at every refresh of the cluster view until every bundle is reserved or the group is removed.</summary>
    private async Task ScheduleAsync()
    {
        try
        {
            while (!_removed)
            {
                string reason;
                try
                {
                    if (await TryCreateAsync() is not { } waiting) return;
                    reason = waiting;
                }
                catch (Exception e)
                {
                    // A bug must not end the retries silently: the group says why it waits, and the next refresh tries again.
                    logger.LogError(e, "Scheduling placement group {Group} failed; trying again at the next refresh of the cluster view", Id);
                    reason = $"scheduling failed ({e.GetType().Name}: {e.Message}); trying again";
                }
                if (_info!.PendingReason != reason)
                {
                    _info = _info with { PendingReason = reason };
                    logger.LogInformation("Placement group {Group} is pending: {Reason}", Id, reason);
                }
                _firstAttempt.TrySetResult();
                await view.NextRefreshAsync();
            }
        }
        finally
        {
            _firstAttempt.TrySetResult();
        }
    }

    /// <summary>One try: null once every bundle is reserved (or the group was removed meanwhile), else why it waits.</summary>
    private async Task<string?> TryCreateAsync()
    {
        var (plan, reason) = BundlePlanner.Plan(_info!.Bundles, _info.Strategy, view.Nodes, local.NodeId);
        if (plan is null) return reason;
        var reserved = await ReserveAllAsync(plan);
        if (!reserved || _removed)
        {
            await ReturnAllAsync(plan.Distinct());
            return _removed ? null : "a node's free resources changed while reserving; trying again";
        }
        _info = _info with { State = PlacementGroupState.Created, BundleNodes = plan, PendingReason = null };
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("Placement group {Group} created on {Nodes}", Id, string.Join(", ", plan.Distinct()));
        _ready.TrySetResult(_info);
        return null;
    }

    private async Task<bool> ReserveAllAsync(NodeId[] plan)
    {
        if (plan.Length == 1) return await ReserveAsync(plan[0], 0);
        var attempts = plan.Select((n, i) => ReserveAsync(n, i)).ToArray();
        return (await Task.WhenAll(attempts)).All(ok => ok);
    }

    private async Task<bool> ReserveAsync(NodeId nodeId, int index)
    {
        // A bundle on this grain's own node is reserved without a message (see BundleReservations).
        if (nodeId == local.NodeId) return local.TryReserve(Id, index, _info!.Bundles[index]);
        try
        {
            return await GrainFactory.GetGrain<IRayletGrain>(nodeId.Value).ReserveBundle(Id, index, _info!.Bundles[index]);
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
        {
            return false;
        }
    }

    private async Task ReturnAllAsync(IEnumerable<NodeId> nodes)
    {
        foreach (var n in nodes)
        {
            if (n == local.NodeId)
            {
                await local.ReturnAsync(Id);
                continue;
            }
            try { await GrainFactory.GetGrain<IRayletGrain>(n.Value).ReturnBundles(Id); }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e)) { /* a dead node's bundles went with it */ }
        }
    }

    public Task<PlacementGroupInfo> WaitReady() =>
        _info is null || _removed
            ? Task.FromException<PlacementGroupInfo>(new PlacementGroupRemovedException($"Placement group {Id} does not exist: it was removed, or never created. Create a new one."))
            : _ready.Task;

    public Task<PlacementGroupInfo?> GetInfo() => Task.FromResult(_info);

    public async Task Remove()
    {
        if (_info is null || _removed) return;
        _removed = true;
        var nodes = _info.BundleNodes;
        _info = _info with { State = PlacementGroupState.Removed, PendingReason = null };
        _ready.TrySetException(new PlacementGroupRemovedException($"Placement group {Id} was removed."));
        if (_scheduling is not null) await _scheduling;
        // Every node is asked, not only the bundles' nodes: a reservation may have been under way.
        await ReturnAllAsync(nodes.Length > 0 ? nodes.Distinct() : view.Nodes.Select(n => n.NodeId));
        if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("Placement group {Group} removed", Id);
    }
}
