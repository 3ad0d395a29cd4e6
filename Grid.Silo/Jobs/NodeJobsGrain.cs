using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Wire;

namespace Grid.Silo.Jobs;

/// <summary>This node's side of a job's end: the GCS grain calls it on every node.</summary>
[NodePinnedPlacement, Reentrant]
internal sealed class NodeJobsGrain(JobCodeRegistry registry, JobEnds ends, NodeRuntime node, IGcs gcs) : Grain, INodeJobsGrain
{
    public async Task DropJob(JobId job)
    {
        // Its tasks still queued here stop waiting first: nobody is left to want their results.
        ends.End(job);
        // Then its driver's objects and borrows (the GCS record names the driver's owner endpoint).
        if (await gcs.GetJobAsync(job) is { Owner: { } owner } info)
            node.Worker.OwnerGone(owner, info.Status == JobStatus.Failed ? $"its client died and job {job} failed" : $"its job {job} ended");
        await registry.DropAsync(job);
    }
}
