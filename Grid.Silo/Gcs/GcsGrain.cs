using Grid.Silo.Diagnostics;
using System.Diagnostics;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

/// <summary>Answers GCS questions from clients and grains out of the local silo's GCS connection.</summary>
[StatelessWorker]
internal sealed class GcsGrain(IGcs gcs, Raylet.ClusterView view, ILogger<GcsGrain> logger) : Grain, IGcsGrain
{
    public Task<NodeInfo[]> GetNodes() => Task.FromResult(view.Nodes);
    // Stamped here, by the GCS's side, on first registration; a restart updates the record, which keeps the stamp.
    public Task<ActorInfo> RegisterActor(ActorInfo actor) =>
        WhileUp(() => gcs.RegisterActorAsync(actor.CreatedAt is null ? actor with { CreatedAt = DateTimeOffset.UtcNow } : actor));
    public Task<ActorInfo?> GetActor(ActorId id) => WhileUp(() => gcs.GetActorAsync(id));
    public Task<ActorInfo?> GetNamedActor(string ns, string name) => WhileUp(() => gcs.GetNamedActorAsync(ns, name));
    public Task<ActorInfo> WaitActorPlaced(ActorId id) => WhileUp(() => gcs.WaitActorPlacedAsync(id, CancellationToken.None));
    public Task UpdateActor(ActorInfo actor) => WhileUp(() => gcs.UpdateActorAsync(actor));
    public Task<bool> HasCodePackage(string hash) => WhileUp(() => gcs.HasCodePackageAsync(hash));
    public Task AddJob(JobInfo job) => WhileUp(() => gcs.AddJobAsync(job));
    public Task<JobInfo?> GetJob(JobId id) => WhileUp(() => gcs.GetJobAsync(id));
    public Task RenewJobLease(JobId id) => WhileUp(() => gcs.RenewJobLeaseAsync(id));
    public Task<ObjectLocations?> GetObjectLocations(ObjectId id) => WhileUp(() => gcs.GetObjectLocationsAsync(id));
    public Task RemoveObject(ObjectId id) => WhileUp(() => gcs.RemoveObjectAsync(id));

    /// <summary>
    /// How long a call waits for an unreachable GCS (Redis restarting) before it fails with
    /// <see cref="GcsUnavailableException"/>: under Orleans' default 30 s response timeout, so the caller hears Grid's
    /// error rather than a timeout. Every call retried here is idempotent (sets, conditional scripts, reads).
    /// </summary>
    internal static readonly TimeSpan OutageWait = TimeSpan.FromSeconds(20);

    private static Task WhileUp(Func<Task> call) => WhileUp(async () =>
    {
        await call();
        return true;
    });

    private static async Task<T> WhileUp<T>(Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                if (Stopwatch.GetElapsedTime(started) + pause > OutageWait)
                    throw new GcsUnavailableException(
                        $"The cluster's GCS (its Redis) did not answer for {OutageWait.TotalSeconds:F0} s: it is down or restarting. " +
                        "Work already placed keeps running; retry this call once Redis is back (the head restarts it with 'grid start --head').", e);
                await Task.Delay(pause);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    public async Task FinishJob(JobId id, JobStatus status)
    {
        // The GCS first, so that a node meeting the job for the first time after this refuses it
        // rather than loading its code again; then its actors die, unless detached (Ray's lifetime);
        // then every live node drops what it loaded and what the job's driver owned.
        await WhileUp(() => gcs.FinishJobAsync(id, status));
        var why = status == JobStatus.Failed ? $"its job {id} failed: the client that created it died" : $"its job {id} ended";
        var actors = (await WhileUp(gcs.GetActorsAsync)).Where(a => a.Job == id && a.State != ActorState.Dead && a.Lifetime != ActorLifetime.Detached);
        await Task.WhenAll(actors.Select(async a =>
        {
            try { await GrainFactory.GetGrain<IActorHostGrain>(a.ActorId.Value).Kill(why); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                NodeLog.EndedJobActorKillFailedInGcs(logger, e, a.ActorId, id);
            }
        }));
        await Task.WhenAll(view.Nodes.Where(n => n.State == NodeState.Alive).Select(async n =>
        {
            try { await GrainFactory.GetGrain<INodeJobsGrain>(n.NodeId.Value).DropJob(id); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                NodeLog.JobCodeDropFailed(logger, e, n.NodeId, id);
            }
        }));
    }
}
