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
    public IAsyncEnumerable<TaskOutcome> SubmitTasks(TaskSpec[] specs) =>
        // Admitting a batch (placement, queueing, dependency checks) happens off this grain's scheduler:
        // Orleans runs the synchronous part of every queued message in one work item, and 100,000
        // tiny tasks admitted there held the raylet for seconds ("RayletGrain turn took 1.9 s").
        OutcomeStream.InCompletionOrder(tasks.StartInOrder(specs), (i, e) => tasks.Fail(specs[i], e));
}
