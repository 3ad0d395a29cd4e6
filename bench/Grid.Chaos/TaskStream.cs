using System.Diagnostics;

namespace Grid.Chaos;

/// <summary>
/// The run's short tasks: <see cref="ChaosOptions.Tasks"/> of them, streamed with at most
/// <see cref="ChaosOptions.Window"/> in flight; every 10th takes the result of the task 5 before it as
/// an argument (a dependency the owner must resolve, across node deaths too). Each result is checked
/// against <see cref="ChaosWork.Expected"/>. When each task was submitted and settled is kept, so the
/// recovery after a kill can be read afterwards.
/// </summary>
public sealed class TaskStream(GridClient grid, ChaosOptions options)
{
    private const long NotYet = -1;
    private readonly long[] _submitted = Filled(options.Tasks);
    private readonly long[] _settled = Filled(options.Tasks);
    private int _received, _wrong, _settledCount;

    public int Expected => options.Tasks;
    public int Received => Volatile.Read(ref _received);
    public int Wrong => Volatile.Read(ref _wrong);
    public FailureCounts Failed { get; } = new();
    /// <summary>Tasks that ended, with a result or an error.</summary>
    public int Settled => Volatile.Read(ref _settledCount);
    /// <summary>Results not received: failed, wrong, still pending at the deadline, or never submitted.</summary>
    public int Lost => Expected - Received;
    public int Pending => Expected - Settled;

    /// <summary>Runs every task; returns when all have settled or <paramref name="cancellationToken"/> (the run's deadline) fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var scheduling = options.Spread ? new TaskOptions { Scheduling = SchedulingStrategy.Spread } : TaskOptions.Default;
        var work = grid.Function<int, int, long>(ChaosWork.Work, scheduling);
        var workAfter = grid.Function<int, int, int, long, long>(ChaosWork.WorkAfter, scheduling);
        using var window = new SemaphoreSlim(options.Window);
        var recent = new ObjectRef<long>[10]; // the dependency of task i is task i − 5
        var tracked = new List<Task>(options.Tasks);
        try
        {
            for (var i = 0; i < options.Tasks; i++)
            {
                await window.WaitAsync(cancellationToken);
                var ms = ChaosWork.WorkMilliseconds(i);
                var result = i % 10 == 9 ? workAfter.Remote(i, ms, i - 5, recent[(i - 5) % 10]) : work.Remote(i, ms);
                _submitted[i] = Stopwatch.GetTimestamp();
                recent[i % 10] = result;
                tracked.Add(TrackAsync(i, result, window, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { } // the deadline: the rest was never submitted
        await Task.WhenAll(tracked);
    }

    private async Task TrackAsync(int index, ObjectRef<long> result, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            var value = await grid.GetAsync(result, cancellationToken: cancellationToken);
            if (value == ChaosWork.Expected(index)) Interlocked.Increment(ref _received);
            else Interlocked.Increment(ref _wrong);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // pending at the deadline: not settled
        }
        catch (Exception e)
        {
            Failed.Add(e);
        }
        _settled[index] = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _settledCount);
        window.Release();
    }

    /// <summary>Ids of tasks still pending (submitted or not), the first <paramref name="count"/>.</summary>
    public IEnumerable<int> PendingIds(int count) => Enumerable.Range(0, Expected).Where(i => _settled[i] == NotYet).Take(count);

    /// <summary>
    /// What a fault at <paramref name="at"/> (a <see cref="Stopwatch"/> timestamp) cost: the time to the
    /// first task that settled after it, and to the last of the tasks that were in flight at it
    /// (null while some of those never settled), with how many there were.
    /// </summary>
    public (TimeSpan? FirstResult, TimeSpan? InFlightDone, int InFlight, int InFlightPending) RecoveryAfter(long at)
    {
        long? first = null, last = null;
        int inFlight = 0, pending = 0;
        for (var i = 0; i < Expected; i++)
        {
            var settled = _settled[i];
            if (settled > at && (first is null || settled < first)) first = settled;
            if (_submitted[i] == NotYet || _submitted[i] > at || (settled != NotYet && settled <= at)) continue;
            inFlight++;
            if (settled == NotYet) pending++;
            else if (last is null || settled > last) last = settled;
        }
        return (first is { } f ? Stopwatch.GetElapsedTime(at, f) : null,
                pending == 0 && last is { } l ? Stopwatch.GetElapsedTime(at, l) : null, inFlight, pending);
    }

    private static long[] Filled(int length)
    {
        var array = new long[length];
        Array.Fill(array, NotYet);
        return array;
    }
}
