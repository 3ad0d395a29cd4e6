using Grid.Silo.Diagnostics;
using Grid.Core;
using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Silo.Raylet;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Placement;

/// <summary>
/// One placement group. The grain is the group's single writer — the reservation is a short two-step protocol
/// (reserve every bundle, or return those reserved and retry) — and it stores the group's record in the GCS at every
/// change (<see cref="IPlacementGroupTable"/>): when its silo dies, the next call activates it on another silo, which
/// reads the record back (the bundles reserved on live nodes stay where they are). While the group lives, the grain
/// watches the nodes of its bundles: a bundle whose node died is reserved again on a live node (state RESCHEDULING,
/// then CREATED, as in Ray). <see cref="PlacementGroupWatch"/> wakes the groups after a node's death, so a group whose
/// grain died with that node is rescheduled without waiting for a caller.
/// The grain is placed on the silo that receives the creation (the client's gateway for this group), and its bundles go
/// to that node when the strategy allows (see <see cref="BundlePlanner"/>): then creating, readiness and removal cost
/// the client two calls and no message between nodes.
/// </summary>
[Reentrant, KeepAlive, Orleans.Placement.PreferLocalPlacement]
internal sealed class PlacementGroupGrain(ClusterView view, BundleReservations local, IGcs gcs, ILogger<PlacementGroupGrain> logger)
    : Grain, IPlacementGroupGrain
{
    private PlacementGroupInfo? _info;
    // Completes when every bundle is reserved; replaced by a pending one while bundles are rescheduled.
    private TaskCompletionSource<PlacementGroupInfo> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completes when the first try to reserve every bundle has succeeded or failed (or the group was removed).
    private readonly TaskCompletionSource _firstAttempt = new();
    private readonly TaskCompletionSource _removal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskCompletionSource _nodeLeft = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _removed;
    private Task? _scheduling;
    private Task _saving = Task.CompletedTask;
    private bool _dirty;
    private PlacementGroupId? _id;

    private PlacementGroupId Id => _id ??= new(this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Activated again after its silo died: the GCS has the group as it was.
        if (await gcs.GetPlacementGroupAsync(Id) is not { } saved) return;
        _info = saved;
        if (saved.State == PlacementGroupState.Removed)
        {
            _removed = true;
            _firstAttempt.TrySetResult();
            return;
        }
        if (saved.State == PlacementGroupState.Created) _ready.TrySetResult(saved);
        NodeLog.GroupRecovered(logger, Id, saved.State);
        _scheduling = ScheduleAsync();
    }

    public async Task<PlacementGroupInfo> Create(PlacementGroupInfo group)
    {
        if (_info is null)
        {
            _info = group with { State = PlacementGroupState.Pending, BundleNodes = [], PendingReason = "not scheduled yet" };
            Save();
            _scheduling = ScheduleAsync();
        }
        // The first try decides most groups at once (on this node without a message, on another with one): the
        // creator learns "created" from this reply instead of asking again. A group that must wait answers pending.
        await _firstAttempt.Task;
        return _info;
    }

    /// <summary>
    /// Until the group is removed: tries at every refresh of the cluster view while bundles wait for a node, and once
    /// every bundle is reserved, looks again when a node leaves the view.
    /// </summary>
    private async Task ScheduleAsync()
    {
        view.NodeLeft += OnNodeLeft;
        try
        {
            while (!_removed)
            {
                // Armed before the look at the bundles' nodes, so a node leaving in between is not missed.
                var nodeLeft = _nodeLeft = new(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_info!.State == PlacementGroupState.Created)
                {
                    if (!DeadBundles().Any())
                    {
                        _firstAttempt.TrySetResult();
                        await Task.WhenAny(nodeLeft.Task, _removal.Task);
                        continue;
                    }
                    _info = _info with { State = PlacementGroupState.Rescheduling };
                    _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    NodeLog.GroupRescheduling(logger, Id, string.Join(", ", DeadBundles()));
                    Save();
                }
                string? reason;
                try
                {
                    reason = _info.BundleNodes.Length == 0 || DeadBundles().Count() == _info.Bundles.Length
                        ? await TryCreateAsync()
                        : await TryRescheduleAsync();
                }
                catch (Exception e)
                {
                    // A bug must not end the retries silently: the group says why it waits, and the next refresh tries again.
                    NodeLog.GroupSchedulingFailed(logger, e, Id);
                    reason = $"scheduling failed ({e.GetType().Name}: {e.Message}); trying again";
                }
                if (reason is not null && _info.PendingReason != reason)
                {
                    _info = _info with { PendingReason = reason };
                    NodeLog.GroupWaiting(logger, Id, _info.State, reason);
                    Save();
                }
                _firstAttempt.TrySetResult();
                if (reason is not null) await Task.WhenAny(view.NextRefreshAsync(), _removal.Task);
            }
        }
        finally
        {
            view.NodeLeft -= OnNodeLeft;
            _firstAttempt.TrySetResult();
        }
    }

    // Raised on the view's thread: only completes a signal, which the loop awaits in the grain.
    private void OnNodeLeft(NodeId _) => _nodeLeft.TrySetResult();

    /// <summary>Indices of bundles reserved on a node that is no longer in the view.</summary>
    private IEnumerable<int> DeadBundles()
    {
        var alive = view.Nodes.Select(n => n.NodeId).ToHashSet();
        return Enumerable.Range(0, _info!.BundleNodes.Length).Where(i => !alive.Contains(_info.BundleNodes[i]));
    }

    /// <summary>One try at every bundle: null once every one is reserved (or the group was removed meanwhile), else why it waits.</summary>
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
        await CreatedAsync(plan);
        return null;
    }

    /// <summary>
    /// Reserves again, one at a time, the bundles whose node died; the others stay where they are. Null once all are
    /// reserved. A bundle goes to a node holding no other bundle of the group: returning a failed reservation returns a
    /// node's every bundle of the group, and none there must go.
    /// </summary>
    private async Task<string?> TryRescheduleAsync()
    {
        var nodes = _info!.BundleNodes.ToArray();
        foreach (var i in DeadBundles().ToArray())
        {
            var held = nodes.Where((_, j) => j != i).ToHashSet();
            var free = view.Nodes.Where(n => !held.Contains(n.NodeId)).ToArray();
            var strategy = _info.Strategy == PlacementGroupStrategy.StrictSpread ? PlacementGroupStrategy.StrictSpread : PlacementGroupStrategy.Pack;
            var (plan, reason) = BundlePlanner.Plan([_info.Bundles[i]], strategy, free, local.NodeId);
            if (plan is null) return $"bundle {i} lost its node and waits: {reason}";
            if (!await ReserveAsync(plan[0], i) || _removed)
            {
                await ReturnAllAsync([plan[0]]);
                return _removed ? null : "a node's free resources changed while reserving; trying again";
            }
            nodes[i] = plan[0];
            _info = _info with { BundleNodes = [.. nodes] };
            Save();
        }
        await CreatedAsync(nodes);
        return null;
    }

    private async Task CreatedAsync(NodeId[] plan)
    {
        _info = _info! with { State = PlacementGroupState.Created, BundleNodes = plan, PendingReason = null };
        Save();
        if (logger.IsEnabled(LogLevel.Information))
            NodeLog.GroupCreated(logger, Id, string.Join(", ", plan.Distinct()));
        _ready.TrySetResult(_info);
    }

    /// <summary>
    /// Has the group's record written to the GCS, behind the grain's work: creating and removing a group waits for no
    /// GCS round trip (it would halve the create/removal rate). One writer loop writes the latest record, in order, and
    /// retries through a GCS outage until it lands; a grain that dies within that window leaves the previous record.
    /// </summary>
    private void Save()
    {
        _dirty = true;
        if (_saving.IsCompleted) _saving = SaveLoopAsync();
    }

    private async Task SaveLoopAsync()
    {
        while (_dirty)
        {
            _dirty = false;
            try
            {
                await gcs.PutPlacementGroupAsync(_info!);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _dirty = true;
                NodeLog.GroupSaveFailed(logger, e, Id);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
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
        _removal.TrySetResult();
        var nodes = _info.BundleNodes;
        _info = _info with { State = PlacementGroupState.Removed, PendingReason = null };
        _ready.TrySetException(new PlacementGroupRemovedException($"Placement group {Id} was removed."));
        Save();
        if (_scheduling is not null) await _scheduling;
        // Every node is asked, not only the bundles' nodes: a reservation may have been under way.
        await ReturnAllAsync(nodes.Length > 0 ? nodes.Distinct() : view.Nodes.Select(n => n.NodeId));
        if (logger.IsEnabled(LogLevel.Information)) NodeLog.GroupRemoved(logger, Id);
    }
}
