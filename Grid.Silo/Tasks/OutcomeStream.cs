using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>Results of a batch of started calls, in the order they finish (see <see cref="TaskOutcome"/>).</summary>
internal static class OutcomeStream
{
    /// <param name="fail">The payload for call <c>i</c> whose task faulted: one call's fault is its own error, not the batch's.</param>
    public static IAsyncEnumerable<TaskOutcome> InCompletionOrder(Task<ObjectPayload>[] running, Func<int, Exception, ObjectPayload> fail) =>
        InCompletionOrder(Task.FromResult(running), fail);

    /// <param name="starting">The calls, once started.</param>
    /// <param name="fail">The payload for call <c>i</c> whose task faulted: one call's fault is its own error, not the batch's.</param>
    public static async IAsyncEnumerable<TaskOutcome> InCompletionOrder(Task<Task<ObjectPayload>[]> starting, Func<int, Exception, ObjectPayload> fail)
    {
        var running = await starting;
        var index = new Dictionary<Task<ObjectPayload>, int>(running.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < running.Length; i++) index[running[i]] = i;
        await foreach (var done in Task.WhenEach(running))
        {
            var i = index[done];
            yield return new TaskOutcome(i, done.IsCompletedSuccessfully ? done.Result : fail(i, done.Exception?.GetBaseException() ?? new TaskCanceledException()));
        }
    }
}
