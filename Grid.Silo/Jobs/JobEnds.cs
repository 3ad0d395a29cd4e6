using System.Collections.Concurrent;
using Grid.Wire;

namespace Grid.Silo.Jobs;

/// <summary>
/// A cancellation token per job that this node has seen, cancelled when the job ends (its client disposed or died):
/// work of the job still waiting on this node — tasks queued for resources — stops waiting at once. One token
/// source per job, not per task; a job never seen here costs nothing until its first queued task.
/// </summary>
internal sealed class JobEnds
{
    private static readonly CancellationToken Ended = new(canceled: true);
    private readonly ConcurrentDictionary<JobId, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<JobId, byte> _ended = new();

    /// <summary>Cancelled when <paramref name="job"/> ends (already cancelled for an ended job).</summary>
    public CancellationToken TokenOf(JobId job)
    {
        if (_running.TryGetValue(job, out var source)) return source.Token;
        if (_ended.ContainsKey(job)) return Ended;
        source = _running.GetOrAdd(job, static _ => new CancellationTokenSource());
        // An end that raced the add cancels what it finds, or the next call sees the job ended.
        return _ended.ContainsKey(job) ? Ended : source.Token;
    }

    public bool HasEnded(JobId job) => _ended.ContainsKey(job);

    /// <summary>Ends the job here: its waiting work is cancelled. Idempotent.</summary>
    public void End(JobId job)
    {
        _ended.TryAdd(job, 0);
        if (!_running.TryRemove(job, out var source)) return;
        source.Cancel();
        source.Dispose();
    }
}
