using Grid.Wire;

namespace Grid.Silo.Gcs;

/// <summary>
/// The global control store: low-rate cluster metadata. Nothing per task goes through it (task
/// events arrive in batches). A Redis implementation backs real clusters; <see cref="InMemoryGcs"/>
/// serves the embedded mode and in-process test clusters. One contract test suite runs against both.
/// </summary>
internal interface IGcs : INodeTable, IActorTable, IJobTable, ISubmittedJobTable, ICodePackageStore, IObjectDirectory, ITaskEventLog, IPlacementGroupTable;

/// <summary>Nodes: what each declared, what is free now, its labels, heartbeat and state.</summary>
internal interface INodeTable
{
    /// <summary>Adds or refreshes a node (also its heartbeat). A node marked dead stays dead.</summary>
    Task UpsertNodeAsync(NodeInfo node);
    Task<NodeInfo[]> GetNodesAsync();
    Task MarkNodeDeadAsync(NodeId node);
}

/// <summary>Actors and named actors (namespace + name → actor).</summary>
internal interface IActorTable
{
    /// <summary>Registers an actor. If it is named and a live actor already has that name, returns that one instead (atomically).</summary>
    Task<ActorInfo> RegisterActorAsync(ActorInfo actor);
    Task<ActorInfo?> GetActorAsync(ActorId id);
    Task<ActorInfo?> GetNamedActorAsync(string ns, string name);
    Task<ActorInfo[]> GetActorsAsync();
    /// <summary>
    /// The actors registered with <see cref="ActorInfo.OwnerActor"/> = <paramref name="owner"/>, in any state (an index
    /// kept by <see cref="RegisterActorAsync"/>, so an owner's death need not read every actor).
    /// </summary>
    Task<ActorInfo[]> GetOwnedActorsAsync(ActorId owner);
    /// <summary>Writes the record. A record written Dead releases the actor's name (if it still names this actor).</summary>
    Task UpdateActorAsync(ActorInfo actor);
    /// <summary>
    /// Writes <paramref name="updated"/> only if the stored record still has <paramref name="expected"/>'s state,
    /// restart count and node (its <see cref="ActorFence"/>), atomically; false otherwise. This makes a restart
    /// decision happen once per death however many nodes notice it. A Dead write releases the name as above.
    /// </summary>
    Task<bool> TryUpdateActorAsync(ActorInfo expected, ActorInfo updated);
    /// <summary>Completes when the actor is alive (placed and constructed) or dead; a restarting actor is waited for.</summary>
    Task<ActorInfo> WaitActorPlacedAsync(ActorId id, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IActorTable.TryUpdateActorAsync"/> compares: one incarnation's state and place.</summary>
internal static class ActorFence
{
    public static string Of(ActorInfo actor) => $"{actor.State}|{actor.RestartCount}|{actor.Node?.Value}";

    /// <summary>Whether a waiter for placement is done with this record (it is neither pending nor restarting).</summary>
    public static bool IsSettled(ActorState state) => state is ActorState.Alive or ActorState.Dead;
}

/// <summary>Jobs: one per connected driver.</summary>
internal interface IJobTable
{
    Task AddJobAsync(JobInfo job);
    Task<JobInfo?> GetJobAsync(JobId id);
    Task<JobInfo[]> GetJobsAsync();
    /// <summary>Records the job's end (status and end time) and drops its lease; a no-op for an unknown or already ended job.</summary>
    Task FinishJobAsync(JobId id, JobStatus status);
    /// <summary>
    /// Renews the job's lease: its driver is alive. Counts renewals (a watcher compares counts on its own clock, so
    /// no two machines' clocks are compared); a no-op for an unknown or ended job.
    /// </summary>
    Task RenewJobLeaseAsync(JobId id);
    /// <summary>The renewal count of every running job that holds a lease.</summary>
    Task<IReadOnlyDictionary<JobId, long>> GetJobLeasesAsync();
}

/// <summary>
/// Submitted jobs (<c>grid job submit</c>): one record per submission, written by the head that runs it. Ending a job is
/// a conditional update, so of two writers (the driver's exit and a stop, or two heads) exactly one ends it.
/// </summary>
internal interface ISubmittedJobTable
{
    /// <summary>Adds the record unless one with its id exists (atomically); false when the id is taken.</summary>
    Task<bool> AddSubmittedJobAsync(SubmittedJobInfo job);
    Task<SubmittedJobInfo?> GetSubmittedJobAsync(string id);
    Task<SubmittedJobInfo[]> GetSubmittedJobsAsync();
    /// <summary>
    /// Writes <paramref name="updated"/> only if the stored record (of the same id) still has status
    /// <paramref name="expected"/>, atomically; false otherwise (unknown id, or another writer changed it first).
    /// </summary>
    Task<bool> TryUpdateSubmittedJobAsync(SubmittedJobStatus expected, SubmittedJobInfo updated);
}

/// <summary>Content-addressed code packages (a job's application assemblies), stored once per hash.</summary>
internal interface ICodePackageStore
{
    Task<bool> HasCodePackageAsync(string hash);
    /// <summary>Stores the package under its hash; storing the same hash again is a no-op.</summary>
    Task PutCodePackageAsync(string hash, ReadOnlyMemory<byte> package);
    Task<byte[]?> GetCodePackageAsync(string hash);
}

/// <summary>The object directory: which nodes hold a copy of each large object.</summary>
internal interface IObjectDirectory
{
    Task AddObjectLocationAsync(ObjectId id, NodeId node, long size);
    Task RemoveObjectLocationAsync(ObjectId id, NodeId node);
    /// <summary>Forgets the object everywhere (it was freed).</summary>
    Task RemoveObjectAsync(ObjectId id);
    Task<ObjectLocations?> GetObjectLocationsAsync(ObjectId id);
}

/// <summary>Task events, appended in batches and capped (oldest dropped first).</summary>
internal interface ITaskEventLog
{
    Task AddTaskEventsAsync(IReadOnlyList<TaskEvent> events);
    /// <summary>The newest events, newest last, at most <paramref name="limit"/>.</summary>
    Task<TaskEvent[]> GetTaskEventsAsync(int limit);
}

/// <summary>
/// Placement groups: each group's grain (the group's single writer) stores its record at every change — bundles,
/// strategy, state and the node of each bundle — so that a group whose grain's silo died is found again, and a bundle
/// whose node died is rescheduled.
/// </summary>
internal interface IPlacementGroupTable
{
    /// <summary>Stores the group's record, replacing the one before.</summary>
    Task PutPlacementGroupAsync(PlacementGroupInfo group);
    Task<PlacementGroupInfo?> GetPlacementGroupAsync(PlacementGroupId id);
    /// <summary>Every group recorded, removed ones included (their record says so).</summary>
    Task<PlacementGroupInfo[]> GetPlacementGroupsAsync();
}
