using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// The raylet of the node this core worker lives in (Ray's core worker and its local raylet), reached
/// by a method call instead of a grain message. A silo's worker (tasks that submit tasks) and the
/// embedded client share their process with a raylet: a message to it would be serialized, queued
/// on the raylet grain's scheduler and answered, and each of those hops costs more than placing a
/// tiny task. The raylet runs the task exactly as <see cref="Grains.IRayletGrain.SubmitTask"/> does.
/// </summary>
internal interface ILocalRaylet
{
    Task<ObjectPayload> SubmitAsync(TaskSpec spec);
}
