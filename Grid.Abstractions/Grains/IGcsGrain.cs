using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The GCS as grains see it from outside a silo: a stateless worker on every silo that answers from
/// that silo's GCS, so clients need no GCS connection of their own.
/// </summary>
internal interface IGcsGrain : IGrainWithIntegerKey
{
    Task<NodeInfo[]> GetNodes();
    /// <summary>Registers an actor; for a named one that exists already, returns the existing actor instead.</summary>
    Task<ActorInfo> RegisterActor(ActorInfo actor);
    Task<ActorInfo?> GetActor(ActorId id);
    Task<ActorInfo?> GetNamedActor(string ns, string name);
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ActorInfo> WaitActorPlaced(ActorId id);
    Task UpdateActor(ActorInfo actor);

    /// <summary>Whether the GCS holds the code package with this content hash (then a client need not upload it).</summary>
    Task<bool> HasCodePackage(string hash);
    /// <summary>Registers a job (a connected driver) and the code package its tasks and actors run against.</summary>
    Task AddJob(JobInfo job);
    Task<JobInfo?> GetJob(JobId id);
    /// <summary>The driver of the job is alive: renews its lease (see <c>GridClientOptions.LeaseRenewal</c>).</summary>
    Task RenewJobLease(JobId id);
    /// <summary>
    /// Records the job's end and tells every node, which drop the job's code (its load context) and
    /// kill its actors. Completes when every live node has been told.
    /// </summary>
    [ResponseTimeout("00:02:00")]
    Task FinishJob(JobId id, JobStatus status);

    /// <summary>The nodes that hold a copy of a large object (the object directory); null when none does.</summary>
    Task<ObjectLocations?> GetObjectLocations(ObjectId id);
    /// <summary>Forgets a freed object in the object directory.</summary>
    Task RemoveObject(ObjectId id);
}
