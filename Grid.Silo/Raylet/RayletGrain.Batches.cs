using Grid.Silo.Tasks;
using Grid.Wire;

namespace Grid.Silo.Raylet;

/// <summary>
/// Batch submission: a client's burst of tasks arrives in one message. Each task is placed and run
/// exactly as a single <see cref="SubmitTask"/> would be (same scheduling, queueing and failures);
/// results stream back in completion order, and Orleans sends whatever is ready in one reply.
/// </summary>
internal sealed partial class RayletGrain
{
    public IAsyncEnumerable<TaskOutcome> SubmitTasks(TaskSpec[] specs)
    {
        // Started in arrival order, so queued tasks keep the order the client submitted them in.
        var running = new Task<ObjectPayload>[specs.Length];
        for (var i = 0; i < specs.Length; i++) running[i] = tasks.SubmitAsync(specs[i]);
        return OutcomeStream.InCompletionOrder(running, (i, e) => tasks.Fail(specs[i], e));
    }
}
