using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// Runs the ready calls (their turn came and their arguments are values) of one concurrency group of an actor, never
/// on the grain's scheduler, so a blocking method cannot stall the silo. Calls start in the order they were queued,
/// at most <c>maxConcurrency</c> in progress at a time. A worker runs queued calls back to back: a burst of quick
/// calls costs one work item, not a hop to the pool and back to the grain per call (what a Task.Run per call cost).
/// Thread-safe: calls are queued on the grain's scheduler and finish on pool threads.
/// <para>
/// Without a <paramref name="loop"/> (a threaded group: Ray's threaded actors) workers are thread-pool items and up
/// to <c>maxConcurrency</c> methods run in parallel. With one (an async actor's group: Ray's asyncio event loop) every
/// worker runs on that exclusive scheduler, and so does the rest of each method after an <c>await</c> (it resumes on
/// the current scheduler): at most one piece of the group's code runs at a time, and methods interleave only where
/// they await, up to <c>maxConcurrency</c> in progress.
/// </para>
/// </summary>
/// <param name="loop">The group's event loop (an exclusive scheduler), or null for a threaded group.</param>
/// <param name="run">Starts one call: the user's method and the storing of its result.</param>
internal sealed class ActorRunner(int maxConcurrency, TaskScheduler? loop, Func<ReadyCall, ValueTask<ObjectPayload>> run)
{
    /// <summary>A new event loop for an async group: one exclusive scheduler over the thread pool.</summary>
    public static TaskScheduler NewLoop() => new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, 1).ExclusiveScheduler;

    private readonly Lock _lock = new();
    private readonly Queue<ReadyCall> _queue = new();
    private int _workers;  // pool items running the loop (each either in a call or about to take one)
    private int _busy;     // workers inside a call's synchronous part
    private int _awaiting; // calls that went asynchronous: they hold a slot but no worker
    private ReadyCall? _running; // the calls inside the user's method: an intrusive list, kept under the lock taken anyway

    /// <summary>Queues a call; its task completes with its result.</summary>
    public Task<ObjectPayload> Enqueue(ReadyCall call)
    {
        bool spawn;
        lock (_lock)
        {
            _queue.Enqueue(call);
            spawn = ShouldSpawn();
        }
        // Queued on the grain's thread, which is about to finish its turn and can take the item itself (no wake-up).
        if (spawn) Spawn(preferLocal: true);
        return call.Task;
    }

    /// <summary>Under the lock: another worker is useful when work waits, no worker is idle, and a slot is free.</summary>
    private bool ShouldSpawn()
    {
        if (_queue.Count == 0 || _workers > _busy || _workers + _awaiting >= maxConcurrency) return false;
        _workers++;
        return true;
    }

    // The default context: nothing of the grain's turn (its request context) flows into user code.
    private void Spawn(bool preferLocal = false)
    {
        if (loop is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static r => r.Work(), this, preferLocal);
            return;
        }
        using (ExecutionContext.SuppressFlow())
            _ = Task.Factory.StartNew(static r => ((ActorRunner)r!).Work(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, loop);
    }

    private void Work()
    {
        while (true)
        {
            ReadyCall call;
            bool spawn;
            lock (_lock)
            {
                if (_queue.Count == 0 || _busy + _awaiting >= maxConcurrency)
                {
                    _workers--;
                    return;
                }
                call = _queue.Dequeue();
                _busy++;
                Link(call);
                // This worker may block in the user's method: let another take the next call if a slot is free.
                spawn = maxConcurrency > 1 && ShouldSpawn();
            }
            if (spawn) Spawn();
            ValueTask<ObjectPayload> running;
            try { running = run(call); }
            catch (Exception e) { running = ValueTask.FromException<ObjectPayload>(e); }
            if (running.IsCompleted)
            {
                bool last;
                lock (_lock)
                {
                    _busy--;
                    Unlink(call);
                    // Nothing else queued: this worker leaves before it publishes, so a caller resuming on this thread
                    // (a local call's result, see DirectCall) holds no part of the actor; a call it makes starts a worker.
                    last = _queue.Count == 0;
                    if (last) _workers--;
                }
                // On a loop the publishing thread runs the loop: a caller's code must not continue on it.
                call.Finish(running, lone: last && loop is null);
                if (last) return;
                continue;
            }
            lock (_lock)
            {
                _busy--;
                _awaiting++;
            }
            _ = FinishLaterAsync(call, running);
        }
    }

    /// <summary>
    /// Answers now every call this runner holds — those inside the user's method and those queued behind them — with
    /// <paramref name="answer"/> (given whether the call is running): the actor was killed, and its callers must not
    /// wait for methods that may never return. A method that returns later publishes into an answered call, which
    /// keeps the first answer; the queue is left empty.
    /// </summary>
    public void AnswerAll(Func<ReadyCall, bool, ObjectPayload> answer)
    {
        List<ReadyCall> running = [];
        ReadyCall[] queued;
        lock (_lock)
        {
            for (var call = _running; call is not null; call = call.RunningNext) running.Add(call);
            queued = [.. _queue];
            _queue.Clear();
        }
        foreach (var call in running) call.Publish(answer(call, true), lone: false);
        foreach (var call in queued) call.Publish(answer(call, false), lone: false);
    }

    /// <summary>
    /// Cancels the call making <paramref name="resultId"/> if this runner holds it: a queued one is answered
    /// <paramref name="cancelled"/> now (it is skipped when its turn comes); a running one is marked, and its token, if
    /// its method takes one, fires (see <see cref="ReadyCall.CancelRequested"/>). False when the call is not here.
    /// </summary>
    public bool TryCancel(ObjectId resultId, Func<ReadyCall, ObjectPayload> cancelled)
    {
        ReadyCall? queued = null, running = null;
        lock (_lock)
        {
            foreach (var call in _queue)
                if (call.Spec.ResultId == resultId) { queued = call; break; }
            if (queued is null)
                for (var call = _running; call is not null; call = call.RunningNext)
                    if (call.Spec.ResultId == resultId) { running = call; break; }
            (queued ?? running)?.RequestCancel();
        }
        if (queued is not null) queued.Publish(cancelled(queued), lone: false);
        try { running?.Cancellation?.Cancel(); }
        catch (AggregateException) { /* a callback of the user's threw: the call sees the cancel anyway */ }
        return queued is not null || running is not null;
    }

    private void Link(ReadyCall call)
    {
        call.RunningNext = _running;
        if (_running is not null) _running.RunningPrevious = call;
        _running = call;
    }

    private void Unlink(ReadyCall call)
    {
        if (call.RunningPrevious is { } previous) previous.RunningNext = call.RunningNext;
        else if (_running == call) _running = call.RunningNext;
        if (call.RunningNext is { } next) next.RunningPrevious = call.RunningPrevious;
        call.RunningPrevious = call.RunningNext = null;
    }

    private async Task FinishLaterAsync(ReadyCall call, ValueTask<ObjectPayload> running)
    {
        ObjectPayload? result = null;
        Exception? error = null;
        try { result = await running.ConfigureAwait(false); }
        catch (Exception e) { error = e; }
        bool spawn;
        lock (_lock)
        {
            _awaiting--;
            Unlink(call);
            spawn = ShouldSpawn();
        }
        // Calls queued behind it start on a pool item of their own: this continuation runs wherever the user's code
        // completed its task, which need not be a thread that the next method may block.
        if (spawn) Spawn();
        if (error is null) call.Publish(result!, lone: false);
        else call.Fail(error);
    }
}

/// <summary>
/// One actor call whose turn came, with its arguments: what <see cref="ActorRunner"/> runs. Its task is the outcome
/// a host grain's caller awaits (the reply goes out on the grain's scheduler).
/// </summary>
internal class ReadyCall(ActorCallSpec spec, Functions.RemoteMethod method, object?[] args) : TaskCompletionSource<ObjectPayload>
{
    public ActorCallSpec Spec => spec;
    public Functions.RemoteMethod Method => method;
    public object?[] Args => args;

    /// <summary>The call's own token source, for a method that takes a CancellationToken (it is in <see cref="Args"/>).</summary>
    public CancellationTokenSource? Cancellation { get; } = TokenFor(method, args);

    private volatile bool _cancelRequested;

    /// <summary>The call was cancelled: it does not start, and if it runs, it is answered cancelled when it stops.</summary>
    public bool CancelRequested => _cancelRequested;

    public void RequestCancel() => _cancelRequested = true;

    /// <summary>The run of a call whose method takes a token: cancelled while it ran, it is answered <paramref name="cancelled"/>, whatever it returned.</summary>
    public async ValueTask<ObjectPayload> AnsweredCancelledAsync(ValueTask<ObjectPayload> running, Func<ReadyCall, ObjectPayload> cancelled)
    {
        var payload = await running.ConfigureAwait(false);
        return CancelRequested ? cancelled(this) : payload;
    }

    private static CancellationTokenSource? TokenFor(Functions.RemoteMethod method, object?[] args)
    {
        if (method.CancellationParameter < 0) return null;
        var source = new CancellationTokenSource();
        args[method.CancellationParameter] = source.Token;
        return source;
    }

    /// <summary>Neighbours in the runner's list of running calls (see <see cref="ActorRunner.AnswerAll"/>).</summary>
    internal ReadyCall? RunningPrevious, RunningNext;

    /// <param name="lone">True when the publishing thread is free: no worker of the actor runs on it any more.</param>
    public virtual void Publish(ObjectPayload payload, bool lone) => TrySetResult(payload);

    /// <summary>A run that threw instead of answering: a Grid bug, since the run turns user errors into payloads.</summary>
    public virtual void Fail(Exception error) => TrySetException(error);

    /// <summary>Publishes the outcome of a completed run.</summary>
    public void Finish(ValueTask<ObjectPayload> completed, bool lone)
    {
        if (completed.IsCompletedSuccessfully) Publish(completed.Result, lone);
        else
        {
            try { completed.GetAwaiter().GetResult(); }
            catch (Exception e) { Fail(e); }
        }
    }
}

/// <summary>
/// A call from this process's own core worker (see <see cref="LocalActors"/>): its outcome goes straight into the
/// caller's pending result, from the thread that ran it, instead of back through the host grain as a reply.
/// </summary>
internal sealed class DirectCall(ActorCallSpec spec, Functions.RemoteMethod method, object?[] args,
    TaskCompletionSource<ObjectPayload> result, Func<ActorCallSpec, Exception, ObjectPayload> failed) : ReadyCall(spec, method, args)
{
    public override void Publish(ObjectPayload payload, bool lone) => Core.LocalResults.Publish(result, payload, lone);

    public override void Fail(Exception error) => result.TrySetResult(failed(Spec, error));
}
