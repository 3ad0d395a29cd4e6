using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The jobs a node has loaded code for; one per silo, pinned to it and keyed by the node id. The GCS
/// grain calls it on every node when a job ends.
/// </summary>
internal interface INodeJobsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Drops the job here: its queued tasks, the objects its driver owned (their stored copies) and the borrows it held,
    /// and its code (kept while a detached actor of the job lives here). Idempotent.
    /// </summary>
    [AlwaysInterleave]
    Task DropJob(JobId job);
}
