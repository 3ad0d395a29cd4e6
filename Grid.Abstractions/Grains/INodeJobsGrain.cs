using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The jobs a node has loaded code for; one per silo, pinned to it and keyed by the node id. The GCS
/// grain calls it on every node when a job ends.
/// </summary>
public interface INodeJobsGrain : IGrainWithStringKey
{
    /// <summary>Kills the job's actors on this node and unloads the job's code. A no-op for a job it never loaded.</summary>
    [AlwaysInterleave]
    Task DropJob(JobId job);
}
