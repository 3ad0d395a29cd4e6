namespace Grid.Silo.Actors;

/// <summary>
/// One caller's calls, in the order the caller submitted them (by sequence number). Orleans may
/// deliver them out of order, and their arguments may resolve out of order; a call starts only
/// after its predecessor from the same caller has started. Used on the grain's scheduler only.
/// </summary>
internal sealed class CallerTurns
{
    private readonly Dictionary<long, TaskCompletionSource> _waiting = [];
    private long _next = 1;

    public Task WaitTurnAsync(long sequence)
    {
        if (sequence <= _next) return Task.CompletedTask;
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[sequence] = tcs;
        return tcs.Task;
    }

    /// <summary>The current call has started (or given up): let the next one go.</summary>
    public void Advance()
    {
        _next++;
        if (_waiting.Remove(_next, out var tcs)) tcs.SetResult();
    }
}

/// <summary>
/// A first-in-first-out limit on how many methods run at once (the actor's max concurrency).
/// SemaphoreSlim does not promise FIFO, and start order is what callers rely on.
/// </summary>
internal sealed class FifoSlots(int slots)
{
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _free = slots;

    public Task TakeAsync()
    {
        if (_free > 0 && _waiters.Count == 0)
        {
            _free--;
            return Task.CompletedTask;
        }
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(tcs);
        return tcs.Task;
    }

    public void Return()
    {
        if (_waiters.TryDequeue(out var next)) next.SetResult();
        else _free++;
    }
}
