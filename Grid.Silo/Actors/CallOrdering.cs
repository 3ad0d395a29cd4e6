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

    /// <summary>Whether the call numbered <paramref name="sequence"/> may start now (its predecessors have).</summary>
    public bool IsCurrent(long sequence) => sequence <= _next;

    /// <summary>The current call has started (or given up): let the next one go.</summary>
    public void Advance()
    {
        _next++;
        if (_waiting.Remove(_next, out var tcs)) tcs.SetResult();
    }
}
