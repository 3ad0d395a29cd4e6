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
        return OutcomesAsync(specs, running);
    }

    private async IAsyncEnumerable<TaskOutcome> OutcomesAsync(TaskSpec[] specs, Task<ObjectPayload>[] running)
    {
        var index = new Dictionary<Task<ObjectPayload>, int>(running.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < running.Length; i++) index[running[i]] = i;
        await foreach (var done in Task.WhenEach(running))
        {
            var i = index[done];
            // A fault in one task's scheduling is that task's error, not the batch's.
            yield return new TaskOutcome(i, done.IsCompletedSuccessfully ? done.Result : tasks.Fail(specs[i], done.Exception?.GetBaseException() ?? new TaskCanceledException()));
        }
    }
}
