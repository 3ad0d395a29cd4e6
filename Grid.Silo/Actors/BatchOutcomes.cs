using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// The outcomes of one batch of actor calls (<see cref="ActorHostGrain.CallMany"/>), collected as the calls finish and
/// handed out in chunks: whatever is ready when the caller asks, or the next to finish. Thread-safe: calls finish on
/// pool threads, chunks are taken on the grain's scheduler.
/// </summary>
internal sealed class BatchOutcomes
{
    private readonly Lock _lock = new();
    private readonly Func<int, Exception, ObjectPayload> _fail;
    private readonly List<TaskOutcome> _ready;
    private int _unsent;
    private TaskCompletionSource? _waiter;

    /// <param name="running">The batch's started calls.</param>
    /// <param name="fail">The payload for call <c>i</c> whose task faulted: one call's fault is its own error, not the batch's.</param>
    public BatchOutcomes(Task<ObjectPayload>[] running, Func<int, Exception, ObjectPayload> fail)
    {
        _fail = fail;
        _unsent = running.Length;
        _ready = new List<TaskOutcome>(running.Length);
        for (var i = 0; i < running.Length; i++)
        {
            var call = running[i];
            if (call.IsCompleted) Finished(i, call);
            else
            {
                var index = i;
                call.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => Finished(index, call));
            }
        }
    }

    private void Finished(int index, Task<ObjectPayload> call)
    {
        var outcome = new TaskOutcome(index, call.IsCompletedSuccessfully ? call.Result : _fail(index, call.Exception?.GetBaseException() ?? new TaskCanceledException()));
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _ready.Add(outcome);
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult();
    }

    /// <summary>
    /// The outcomes ready now, or, when none is, those ready once the next call finishes; and whether they are the
    /// batch's last. Awaited on the grain's scheduler, the wake-up is a queued turn, so the calls that finish in the
    /// meantime (a burst of quick calls runs back to back) ride in the same chunk.
    /// </summary>
    public async Task<(TaskOutcome[] Outcomes, bool Last)> NextAsync()
    {
        Task wait;
        lock (_lock)
        {
            if (_ready.Count > 0 || _unsent == 0) return TakeReady();
            _waiter = new TaskCompletionSource();
            wait = _waiter.Task;
        }
        await wait;
        lock (_lock) return TakeReady();
    }

    /// <summary>Under the lock.</summary>
    private (TaskOutcome[], bool) TakeReady()
    {
        var taken = _ready.ToArray();
        _ready.Clear();
        _unsent -= taken.Length;
        return (taken, _unsent == 0);
    }
}
