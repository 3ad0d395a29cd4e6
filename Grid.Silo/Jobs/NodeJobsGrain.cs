using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Jobs;

/// <summary>This node's side of a job's end: the GCS grain calls it on every node.</summary>
[NodePinnedPlacement, Reentrant]
internal sealed class NodeJobsGrain(JobCodeRegistry registry) : Grain, INodeJobsGrain
{
    public Task DropJob(JobId job) => registry.DropAsync(job);
}
