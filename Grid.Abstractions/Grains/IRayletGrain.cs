using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The per-node scheduler (Ray's raylet), one per silo and pinned to it, keyed by the node id.
/// It admits tasks against the node's declared resources, queues what does not fit, spills work to
/// nodes with room, and reserves resources for actors.
/// </summary>
internal interface IRayletGrain : IGrainWithStringKey
{
    /// <summary>Runs a task on this node (or a node it spills to) and answers with its result.</summary>
    [AlwaysInterleave, ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> SubmitTask(TaskSpec spec);

    /// <summary>
    /// Runs a burst of tasks, each exactly as <see cref="SubmitTask"/> would, and streams each result
    /// back as soon as its task finishes (so a slow task holds back no other). One message carries the
    /// whole burst: per-call messaging cost is most of what a tiny task costs.
    /// </summary>
    IAsyncEnumerable<TaskOutcome> SubmitTasks(TaskSpec[] specs);

    /// <summary>Reserves <paramref name="resources"/> for an actor's lifetime, waiting until they are free.</summary>
    [AlwaysInterleave, ResponseTimeout(GridTimeouts.LongCall)]
    Task ReserveForActor(ActorId actor, ResourceSet resources);

    [AlwaysInterleave]
    Task ReleaseActor(ActorId actor);

    /// <summary>
    /// Chooses a node for an actor by its scheduling strategy (this one or another) and reserves its
    /// resources there, waiting in line or for a feasible node as needed; answers the node.
    /// <paramref name="hops"/> counts forwards, so a forwarded request settles where it lands.
    /// </summary>
    [AlwaysInterleave, ResponseTimeout(GridTimeouts.LongCall)]
    Task<NodeId> PlaceActor(ActorCreationSpec spec, int hops);

    /// <summary>
    /// Kills an actor whose placement has not finished (Ray's kill of a pending actor): recorded Dead if its record
    /// still says Pending, which ends a placement waiting as infeasible. False when it was not pending (placed, or
    /// dead already): kill it through its host then.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> KillPendingActor(ActorId actor, string cause);

    /// <summary>Reserves a placement group's bundle here if it fits now (no waiting); false if it does not.</summary>
    [AlwaysInterleave]
    Task<bool> ReserveBundle(PlacementGroupId group, int index, ResourceSet bundle);

    /// <summary>Returns every bundle of the group reserved here, stopping the tasks and killing the actors running in them.</summary>
    [AlwaysInterleave]
    Task ReturnBundles(PlacementGroupId group);

    [AlwaysInterleave]
    Task<NodeInfo> GetNodeInfo();

    /// <summary>
    /// Cancels task <paramref name="task"/> if it is on this node (Ray's <c>ray.cancel</c>): a waiting task is dropped, a
    /// running one sees its token (and with <paramref name="force"/> its result fails at once); with
    /// <paramref name="recursive"/> the tasks it submitted are cancelled too. A task not here is remembered a while, so
    /// that it never runs if it arrives later.
    /// </summary>
    [AlwaysInterleave]
    Task<CancelOutcome> CancelTask(ObjectId task, bool force, bool recursive);
}

internal static class GridTimeouts
{
    /// <summary>
    /// Tasks and actor calls are answered when they finish, which may take hours; Orleans' default
    /// 30 s response timeout would fail them. Node death still fails them at once. Orleans keeps a
    /// message's time-to-live in int milliseconds (at most ~24.8 days): a longer timeout overflows
    /// and every remote call is dropped as expired on arrival.
    /// </summary>
    public const string LongCall = "7.00:00:00";
}
