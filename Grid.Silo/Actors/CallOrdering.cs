using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// One caller's calls, in the order the caller submitted them (by sequence number). Orleans may
/// deliver them out of order (a burst's batches and a lone call travel as separate messages), and
/// their arguments may resolve out of order; a call starts only after its predecessor from the same
/// caller has started. Used under the host's turns lock (grain turns and local callers share it).
/// </summary>
internal sealed class CallerTurns
{
    // A call that arrived early: either an awaited turn (a call still resolving arguments) or a call that is
    // ready to start, which Advance starts itself, without a grain turn or a continuation per call.
    private readonly Dictionary<long, object> _waiting = [];
    private long _next = 1;
    private bool _open; // the actor died: order no longer matters, every call goes at once (to fail as dead)
    // The outcomes of this caller's calls that arrived (parked, running or done) and that the caller may not have yet,
    // by sequence: a call it sends again, because the answer was cut in transit, gets the same outcome instead of a
    // second run. Forgotten once the caller says it has them (ActorCallSpec.AnsweredThrough).
    private readonly Dictionary<long, Task<ObjectPayload>> _outcomes = [];
    private long _forgotten;

    /// <summary>The outcome of the call numbered <paramref name="sequence"/> if it arrived before (this is a copy sent again).</summary>
    public bool TryGetOutcome(long sequence, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Task<ObjectPayload>? outcome) =>
        _outcomes.TryGetValue(sequence, out outcome);

    /// <summary>
    /// Keeps a call's outcome until the caller has it, and forgets those the caller says it has (every sequence up to
    /// <paramref name="answeredThrough"/>; each is forgotten once, so this is constant time per call over a stream).
    /// </summary>
    public void Remember(long sequence, Task<ObjectPayload> outcome, long answeredThrough)
    {
        if (sequence > _forgotten) _outcomes.TryAdd(sequence, outcome);
        while (_forgotten < answeredThrough) _outcomes.Remove(++_forgotten);
    }

    public Task WaitTurnAsync(long sequence)
    {
        if (IsCurrent(sequence)) return Task.CompletedTask;
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[sequence] = tcs;
        return tcs.Task;
    }

    /// <summary>Whether the call numbered <paramref name="sequence"/> may start now (its predecessors have).</summary>
    public bool IsCurrent(long sequence) => _open || sequence <= _next;

    /// <summary>
    /// Holds a call that is ready to start (its arguments are values) until its predecessors have started;
    /// <paramref name="start"/> runs, on the grain's scheduler, when its turn comes.
    /// </summary>
    public void Park(long sequence, IParkedCall start)
    {
        if (_open) start.Start();
        else _waiting[sequence] = start;
    }

    /// <summary>
    /// The actor died: every held call goes now, in sequence order, and later ones go at once. Each then ends in
    /// ActorDiedException instead of waiting for a predecessor that will never come to this host (a call sent
    /// before the kill can arrive after it; the dying activation would wait on it until Orleans gave up).
    /// </summary>
    public void Open()
    {
        _open = true;
        foreach (var sequence in _waiting.Keys.Order().ToArray())
        {
            _waiting.Remove(sequence, out var waiter);
            if (waiter is IParkedCall parked) parked.Start();
            else ((TaskCompletionSource)waiter!).SetResult();
        }
    }

    /// <summary>
    /// The current call has started (or given up): let the next one go. Parked calls whose turn comes start
    /// here, in order, so a batch that overtook its predecessor costs one dictionary entry per call.
    /// </summary>
    public void Advance()
    {
        while (true)
        {
            _next++;
            if (!_waiting.Remove(_next, out var waiter)) return;
            if (waiter is IParkedCall parked)
            {
                parked.Start();
                continue; // a parked call starts without resolving anything: its successor's turn is now
            }
            ((TaskCompletionSource)waiter).SetResult(); // that call advances once it has started
            return;
        }
    }
}

/// <summary>A call held by <see cref="CallerTurns.Park"/>: its arguments are read, it only waits for its turn.</summary>
internal interface IParkedCall
{
    /// <summary>Starts the call (queues it to run, or publishes the failure it carries); never throws.</summary>
    void Start();
}
