using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Gcs;

/// <summary>Answers GCS questions from clients and grains out of the local silo's GCS connection.</summary>
[StatelessWorker]
internal sealed class GcsGrain(IGcs gcs, Raylet.ClusterView view, ILogger<GcsGrain> logger) : Grain, IGcsGrain
{
    public Task<NodeInfo[]> GetNodes() => Task.FromResult(view.Nodes);
    public Task<ActorInfo> RegisterActor(ActorInfo actor) => gcs.RegisterActorAsync(actor);
    public Task<ActorInfo?> GetActor(ActorId id) => gcs.GetActorAsync(id);
    public Task<ActorInfo?> GetNamedActor(string ns, string name) => gcs.GetNamedActorAsync(ns, name);
    public Task<ActorInfo> WaitActorPlaced(ActorId id) => gcs.WaitActorPlacedAsync(id, CancellationToken.None);
    public Task UpdateActor(ActorInfo actor) => gcs.UpdateActorAsync(actor);
    public Task<bool> HasCodePackage(string hash) => gcs.HasCodePackageAsync(hash);
    public Task AddJob(JobInfo job) => gcs.AddJobAsync(job);
    public Task<JobInfo?> GetJob(JobId id) => gcs.GetJobAsync(id);
    public Task RenewJobLease(JobId id) => gcs.RenewJobLeaseAsync(id);
    public Task<ObjectLocations?> GetObjectLocations(ObjectId id) => gcs.GetObjectLocationsAsync(id);
    public Task RemoveObject(ObjectId id) => gcs.RemoveObjectAsync(id);

    public async Task FinishJob(JobId id, JobStatus status)
    {
        // The GCS first, so that a node meeting the job for the first time after this refuses it
        // rather than loading its code again; then its actors die, unless detached (Ray's lifetime);
        // then every live node drops what it loaded and what the job's driver owned.
        await gcs.FinishJobAsync(id, status);
        var why = status == JobStatus.Failed ? $"its job {id} failed: the client that created it died" : $"its job {id} ended";
        var actors = (await gcs.GetActorsAsync()).Where(a => a.Job == id && a.State != ActorState.Dead && a.Lifetime != ActorLifetime.Detached);
        await Task.WhenAll(actors.Select(async a =>
        {
            try { await GrainFactory.GetGrain<IActorHostGrain>(a.ActorId.Value).Kill(why); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Could not kill actor {Actor} of ended job {Job}", a.ActorId, id);
            }
        }));
        await Task.WhenAll(view.Nodes.Where(n => n.State == NodeState.Alive).Select(async n =>
        {
            try { await GrainFactory.GetGrain<INodeJobsGrain>(n.NodeId.Value).DropJob(id); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Node {Node} could not drop the code of job {Job}", n.NodeId, id);
            }
        }));
    }
}
