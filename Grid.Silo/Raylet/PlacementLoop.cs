using Grid.Core;
using Grid.Silo.Placement;
using Grid.Wire;

namespace Grid.Silo.Raylet;

/// <summary>
/// A kind of work that <see cref="PlacementLoop"/> places: tasks (<see cref="LocalTaskManager"/>) and actors
/// (<see cref="ActorPlacer"/>). Implemented by the long-lived component that owns the kind, with the work passed to each
/// member, so placing one piece of work costs no object of its own. The kinds differ only here: what running here
/// means, how the work is forwarded, what is recorded while it waits, and what its errors say.
/// </summary>
internal interface IPlaceable<TWork, TResult>
{
    /// <summary>How the work is named where it waits as infeasible: "task f", "actor a (Counter)".</summary>
    string Describe(TWork work);

    /// <summary>The policy chose this node: run the work here (a task) or reserve its resources here (an actor).</summary>
    /// <param name="need">What the work asks for, rewritten into its group's resources for a placement group.</param>
    Task<TResult> RunHereAsync(TWork work, ResourceSet need);

    /// <summary>Sends the work to <paramref name="node"/>'s raylet as its forward number <paramref name="hops"/>; returns that raylet's answer.</summary>
    Task<TResult> ForwardAsync(TWork work, ResourceSet need, NodeId node, int hops);

    /// <summary>
    /// The work has just become infeasible (called once per stretch of waiting; the loop lists it among the node's
    /// infeasible work itself): record why wherever the work's callers look.
    /// </summary>
    ValueTask WaitsInfeasibleAsync(TWork work, ResourceSet need, string reason);

    /// <summary>
    /// Asked after each view refresh while the work waits as infeasible: the error that ends it when it was withdrawn
    /// meanwhile (an actor killed before it was placed), or null to go on waiting.
    /// </summary>
    ValueTask<GridException?> WithdrawnAsync(TWork work);

    /// <summary>The error of work that no node will ever take: <paramref name="reason"/> says why.</summary>
    GridException Unschedulable(TWork work, string reason);

    /// <summary>The error of work pinned to <paramref name="node"/> (hard affinity) whose forward there failed with a node failure.</summary>
    GridException PinnedNodeFailed(TWork work, NodeId node, Exception error);

    /// <summary>
    /// A forward to <paramref name="node"/> failed with a node failure, and the work is not pinned there. True, with
    /// the work's <paramref name="answer"/>, when that ends the work here (a task the node may have run: whether to
    /// run it again is its owner's call); false to place it again once the view has refreshed.
    /// </summary>
    bool EndsAfterNodeFailure(TWork work, NodeId node, Exception error, out TResult answer);
}

/// <summary>
/// The raylet's one place-or-forward loop, for tasks and actors alike: it asks the <see cref="SchedulingPolicy"/>
/// where the work goes and acts on the answer — run it here, forward it one hop to the node chosen, wait as
/// infeasible until a node that can take it joins, or fail it as unschedulable — deciding again whenever the view
/// changes under it. It touches only thread-safe node services and resumes on the thread pool, never on the raylet
/// grain's scheduler (each await that came back to it queued a turn per task).
/// </summary>
internal sealed class PlacementLoop(SchedulingPolicy policy, ClusterView view, NodeScheduler raylet, PlacementGroupDirectory groups)
{
    /// <param name="resources">What the work asks for (in plain resources; a placement group's are rewritten here).</param>
    /// <param name="preferred">The node holding the work's largest argument, if any.</param>
    /// <param name="hops">How often the work was forwarded already.</param>
    /// <exception cref="GridException">The work cannot be placed: its group is gone, no node will ever take it, or the node it is pinned to failed.</exception>
    public async Task<TResult> PlaceAsync<TWork, TResult>(IPlaceable<TWork, TResult> kind, TWork work, ResourceSet resources,
        SchedulingStrategy? scheduling, NodeId? preferred, int hops)
    {
        var (need, strategy, within) = await ResolveGroupAsync(resources, scheduling).ConfigureAwait(false);
        IDisposable? infeasible = null;
        try
        {
            while (true)
            {
                var placement = policy.Decide(need, strategy, preferred, hops, within);
                if (placement.Kind == PlacementKind.Unschedulable)
                {
                    if (await view.LearnedTargetAsync(strategy).ConfigureAwait(false)) continue; // its target joined since the view's last tick
                    throw kind.Unschedulable(work, placement.Reason!);
                }
                if (placement.Kind == PlacementKind.Infeasible)
                {
                    if (infeasible is null)
                    {
                        infeasible = raylet.Infeasible.Add(kind.Describe(work), need, placement.Reason!);
                        await kind.WaitsInfeasibleAsync(work, need, placement.Reason!).ConfigureAwait(false);
                    }
                    await view.NextRefreshAsync().ConfigureAwait(false);
                    if (await kind.WithdrawnAsync(work).ConfigureAwait(false) is { } withdrawn) throw withdrawn;
                    continue;
                }
                // Placed here or sent on: it no longer waits as infeasible on this node (it may again if a forward fails).
                infeasible?.Dispose();
                infeasible = null;
                if (placement.Kind == PlacementKind.Local) return await kind.RunHereAsync(work, need).ConfigureAwait(false);
                if (view.IsGone(placement.Node)) continue; // chosen from a view a tick old: choose again from the fresh one
                try
                {
                    return await kind.ForwardAsync(work, need, placement.Node, hops + 1).ConfigureAwait(false);
                }
                catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
                {
                    if (strategy is NodeAffinityScheduling { Soft: false }) throw kind.PinnedNodeFailed(work, placement.Node, e);
                    if (kind.EndsAfterNodeFailure(work, placement.Node, e, out var answer)) return answer;
                    await view.NextRefreshAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            infeasible?.Dispose();
        }
    }

    /// <summary>
    /// Work in a placement group asks for the group's resources instead of plain ones, on the
    /// bundle's node (a given bundle) or among the group's nodes (any bundle).
    /// </summary>
    private async Task<(ResourceSet Need, SchedulingStrategy? Strategy, IReadOnlyCollection<NodeId>? Within)> ResolveGroupAsync(ResourceSet need, SchedulingStrategy? strategy)
    {
        if (strategy is not PlacementGroupScheduling pg) return (need, strategy, null);
        var info = await groups.GetReadyAsync(pg.Group).ConfigureAwait(false);
        if (pg.BundleIndex >= info.Bundles.Length)
            throw new UnschedulableException($"Bundle index {pg.BundleIndex} is out of range: placement group {pg.Group} has {info.Bundles.Length} bundles.");
        // A forwarded spec was rewritten already.
        var rewritten = need.Contains(BundleResources.Wildcard(BundleResources.BundleMarker, pg.Group)) ? need : BundleResources.Rewrite(need, pg.BundleIndex, pg.Group);
        return pg.BundleIndex >= 0
            ? (rewritten, SchedulingStrategy.NodeAffinity(info.BundleNodes[pg.BundleIndex]), null)
            : (rewritten, null, info.BundleNodes.Distinct().ToArray());
    }
}
