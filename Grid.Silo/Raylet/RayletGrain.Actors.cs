using Grid.Silo.Diagnostics;
using Grid.Core;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>Actor placement and placement-group bundles: low-rate work, off the task hot path.</summary>
internal sealed partial class RayletGrain
{
    public async Task<NodeId> PlaceActor(ActorCreationSpec spec, int hops)
    {
        var what = $"actor {spec.ActorId} ({ShortName(spec.ClassName)})";
        IDisposable? infeasible = null;
        try
        {
            var (need, strategy, within) = await ResolveGroupAsync(spec.Resources, spec.Scheduling);
                while (true)
            {
                var placement = policy.Decide(need, strategy, null, hops, within);
                switch (placement.Kind)
                {
                    case PlacementKind.Local:
                        infeasible?.Dispose();
                        infeasible = null;
                        if (!raylet.HasRoomNow(need)) await SetPendingAsync(spec.ActorId, raylet.WaitingReason(need));
                        await raylet.ReserveForActorAsync(spec.ActorId, need);
                        return node.NodeId;
                    case PlacementKind.Unschedulable:
                        if (await view.LearnedTargetAsync(strategy)) continue; // its target joined since the view's last tick
                        throw new UnschedulableException($"Actor {spec.ActorId} cannot be scheduled: {placement.Reason}");
                    case PlacementKind.Infeasible:
                        if (infeasible is null)
                        {
                            infeasible = raylet.Infeasible.Add(what, need, placement.Reason!);
                            await SetPendingAsync(spec.ActorId, $"infeasible: it needs {need}; {placement.Reason}");
                        }
                        await view.NextRefreshAsync();
                        continue;
                }
                try
                {
                    return await GrainFactory.GetGrain<IRayletGrain>(placement.Node.Value).PlaceActor(spec, hops + 1);
                }
                catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
                {
                    if (strategy is NodeAffinityScheduling { Soft: false })
                        throw new UnschedulableException($"Actor {spec.ActorId} must live on node {placement.Node}, which died or cannot be reached. Use a soft affinity to let it live elsewhere.");
                    NodeLog.ActorPlacementRetrying(logger, what, placement.Node, e.Message);
                    await view.NextRefreshAsync();
                }
            }
        }
        catch (GridException e) when (hops == 0)
        {
            // The first raylet records why the actor will never start, for status and for its callers.
            var info = await gcs.GetActorAsync(spec.ActorId);
            if (info is not null) await gcs.UpdateActorAsync(info with { State = ActorState.Dead, DeathCause = e.Message, PendingReason = null });
            throw;
        }
        finally
        {
            infeasible?.Dispose();
        }
    }

    /// <summary>Records why a pending actor waits, so that status shows it ("waiting for resources: GPU").</summary>
    private async Task SetPendingAsync(ActorId actor, string reason)
    {
        var info = await gcs.GetActorAsync(actor);
        if (info is { State: ActorState.Pending } && info.PendingReason != reason)
            await gcs.UpdateActorAsync(info with { PendingReason = reason });
    }

    private static string ShortName(string assemblyQualified) => assemblyQualified.Split(',')[0].Split('.')[^1];

    public Task<bool> ReserveBundle(PlacementGroupId group, int index, ResourceSet bundle) =>
        Task.FromResult(bundles.TryReserve(group, index, bundle));

    public Task ReturnBundles(PlacementGroupId group) => bundles.ReturnAsync(group);
}
