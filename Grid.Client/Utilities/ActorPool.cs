using System.Runtime.CompilerServices;

namespace Grid;

/// <summary>
/// Spreads work over a fixed set of actors (Ray's <c>ray.util.ActorPool</c>): each submitted value runs on an idle actor,
/// or waits in a queue until one is free, so every actor runs at most one of the pool's jobs at a time. A job whose
/// result is ready (a value or a failure) frees its actor at once, and the actor takes the oldest waiting value.
/// </summary>
/// <remarks>
/// Results are taken in submission order (<see cref="GetNextAsync"/>), or as they finish
/// (<see cref="GetNextUnorderedAsync"/>); <see cref="MapAsync"/> and <see cref="MapUnorderedAsync"/> do both for a
/// list of values. A job's failure is its result: it is thrown where that result is taken, as Ray re-raises it from
/// <c>get_next</c>. Thread-safe, though meant for one consumer: two callers taking results at once each get different results.
/// Actors the pool holds should not be called elsewhere meanwhile, or they run more than one job at a time.
/// </remarks>
/// <typeparam name="TActor">The actors' class.</typeparam>
/// <typeparam name="TResult">What a job returns (the value type of the ref the submitted function returns).</typeparam>
public sealed class ActorPool<TActor, TResult> where TActor : class
{
    private readonly Lock _lock = new();
    private readonly List<ActorHandle<TActor>> _idle;
    private readonly HashSet<ActorId> _members = [];
    private readonly Queue<(Job Job, Func<ActorHandle<TActor>, ObjectRef<TResult>> Start)> _waiting = new();
    private readonly LinkedList<Job> _outstanding = new(); // submitted, result not yet taken; in submission order

    /// <summary>A pool of <paramref name="actors"/>, all idle; each actor may appear once.</summary>
    public ActorPool(IEnumerable<ActorHandle<TActor>> actors)
    {
        ArgumentNullException.ThrowIfNull(actors);
        _idle = [];
        foreach (var actor in actors)
        {
            ArgumentNullException.ThrowIfNull(actor, nameof(actors));
            if (!_members.Add(actor.ActorId)) throw new ArgumentException($"Actor {actor.ActorId} is in the list twice: a pool holds each actor once.", nameof(actors));
            _idle.Add(actor);
        }
    }

    /// <summary>Whether a result is still to be taken: a job submitted and not yet returned by a GetNext (Ray's <c>has_next</c>).</summary>
    public bool HasNext
    {
        get { lock (_lock) return _outstanding.Count > 0; }
    }

    /// <summary>Whether an actor is idle and no value waits for one, so a submit would start at once (Ray's <c>has_free</c>).</summary>
    public bool HasFree
    {
        get { lock (_lock) return _idle.Count > 0 && _waiting.Count == 0; }
    }

    /// <summary>
    /// Submits <paramref name="value"/> (Ray's <c>submit</c>): <paramref name="fn"/> is called with an idle actor and the
    /// value, and must return the ref of one call on that actor, e.g. <c>(a, v) => a.Call(x => x.Double(v))</c>. With no
    /// actor idle, the value waits and <paramref name="fn"/> is called when an actor is freed, oldest value first. An
    /// exception <paramref name="fn"/> throws when it runs at once is thrown here; when it runs later, it becomes the job's result.
    /// </summary>
    public void Submit<TValue>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, TValue value)
    {
        ArgumentNullException.ThrowIfNull(fn);
        Func<ActorHandle<TActor>, ObjectRef<TResult>> start = actor => fn(actor, value);
        ActorHandle<TActor>? actor = null;
        Job job;
        lock (_lock)
        {
            job = new Job();
            if (_idle.Count > 0 && _waiting.Count == 0)
            {
                actor = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }
            else _waiting.Enqueue((job, start));
            job.Node = _outstanding.AddLast(job);
        }
        if (actor is null) return;
        ObjectRef<TResult> result;
        try { result = start(actor); }
        catch
        {
            // Nothing was submitted: the pool is as before the call.
            lock (_lock) _outstanding.Remove(job.Node!);
            Release(actor);
            throw;
        }
        _ = RunAsync(job, actor, result);
    }

    /// <summary>
    /// The result of the oldest job whose result is not yet taken (Ray's <c>get_next</c>), waiting for it at most
    /// <paramref name="timeout"/> (null: as long as it takes). A failed job's exception is thrown here, and counts as
    /// taken. When the timeout passes, <see cref="GetTimeoutException"/> is thrown and the result stays to be taken by
    /// a later call (cancellation leaves it too). Throws <see cref="InvalidOperationException"/> when <see cref="HasNext"/> is false.
    /// </summary>
    public async Task<TResult> GetNextAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Job job;
            lock (_lock) job = _outstanding.First?.Value ?? throw NothingPending();
            await WaitAsync(job.Result.Task, timeout, cancellationToken).ConfigureAwait(false);
            if (TryTake(job)) return await job.Result.Task.ConfigureAwait(false);
            // Another caller took it meanwhile: wait for the next one.
        }
    }

    /// <summary>
    /// The result of whichever job not yet taken finishes first (Ray's <c>get_next_unordered</c>; among those already
    /// finished, the oldest), waiting at most <paramref name="timeout"/> (null: as long as it takes). A failed job's
    /// exception is thrown here. When the timeout passes, <see cref="GetTimeoutException"/> is thrown and every result
    /// stays to be taken. Throws <see cref="InvalidOperationException"/> when <see cref="HasNext"/> is false.
    /// </summary>
    public async Task<TResult> GetNextUnorderedAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Job? finished = null;
            Task[] pending;
            lock (_lock)
            {
                if (_outstanding.Count == 0) throw NothingPending();
                foreach (var job in _outstanding)
                {
                    if (job.Result.Task.IsCompleted)
                    {
                        finished = job;
                        break;
                    }
                }
                pending = finished is null ? [.. _outstanding.Select(j => j.Result.Task)] : [];
            }
            if (finished is null)
            {
                await WaitAsync(Task.WhenAny(pending), timeout, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (TryTake(finished)) return await finished.Result.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="fn"/> over <paramref name="values"/> on the pool and yields the results in the order of the
    /// values (Ray's <c>map</c>). When enumeration starts, results of earlier submits still to be taken are waited for
    /// and dropped (failures too), as Ray does, then every value is submitted. A failed job's exception is thrown from
    /// the enumeration; the jobs after it still run, and their results are dropped by the next map.
    /// </summary>
    public async IAsyncEnumerable<TResult> MapAsync<TValue>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, IEnumerable<TValue> values,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await SubmitAllAsync(fn, values, cancellationToken).ConfigureAwait(false);
        while (HasNext) yield return await GetNextAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="MapAsync"/>, but yields each result as soon as its job finishes (Ray's <c>map_unordered</c>).</summary>
    public async IAsyncEnumerable<TResult> MapUnorderedAsync<TValue>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, IEnumerable<TValue> values,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await SubmitAllAsync(fn, values, cancellationToken).ConfigureAwait(false);
        while (HasNext) yield return await GetNextUnorderedAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds <paramref name="actor"/> to the pool (Ray's <c>push</c>); if a value waits, the actor takes it at once. Throws
    /// <see cref="InvalidOperationException"/> when the actor is already in the pool (idle or busy).
    /// </summary>
    public void Push(ActorHandle<TActor> actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        lock (_lock)
        {
            if (!_members.Add(actor.ActorId))
                throw new InvalidOperationException($"Actor {actor.ActorId} already belongs to this pool; push an actor once (after PopIdle took it out, it may come back).");
        }
        Release(actor);
    }

    /// <summary>
    /// Takes an idle actor out of the pool (Ray's <c>pop_idle</c>): it runs no more of the pool's jobs until pushed back.
    /// Null when none is free (see <see cref="HasFree"/>).
    /// </summary>
    public ActorHandle<TActor>? PopIdle()
    {
        lock (_lock)
        {
            if (_idle.Count == 0 || _waiting.Count > 0) return null;
            var actor = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            _members.Remove(actor.ActorId);
            return actor;
        }
    }

    private async Task SubmitAllAsync<TValue>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, IEnumerable<TValue> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(values);
        while (HasNext)
        {
            try { await GetNextUnorderedAsync(cancellationToken: cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested) { }
        }
        foreach (var value in values) Submit(fn, value);
    }

    /// <summary>Waits for a job's ref, frees its actor (which takes the next waiting value), then publishes the result.</summary>
    private async Task RunAsync(Job job, ActorHandle<TActor> actor, ObjectRef<TResult> result)
    {
        TResult value = default!;
        Exception? error = null;
        try { value = await result.GetAsync().ConfigureAwait(false); }
        catch (Exception e) { error = e; }
        // Freed before the result is published: a caller that took the result finds the actor idle or on the next value.
        Release(actor);
        if (error is null) job.Result.TrySetResult(value);
        else job.Result.TrySetException(error);
    }

    /// <summary>Gives a free actor the oldest waiting value, or makes it idle.</summary>
    private void Release(ActorHandle<TActor> actor)
    {
        while (true)
        {
            (Job Job, Func<ActorHandle<TActor>, ObjectRef<TResult>> Start) next;
            lock (_lock)
            {
                if (!_waiting.TryDequeue(out next))
                {
                    _idle.Add(actor);
                    return;
                }
            }
            ObjectRef<TResult> result;
            try { result = next.Start(actor); }
            catch (Exception e)
            {
                // The function failed before submitting anything: that is the job's result, and the actor is still free.
                next.Job.Result.TrySetException(e);
                continue;
            }
            _ = RunAsync(next.Job, actor, result);
            return;
        }
    }

    /// <summary>Takes a finished job's result out of the pool; false when another caller took it first.</summary>
    private bool TryTake(Job job)
    {
        lock (_lock)
        {
            if (job.Node?.List is null) return false;
            _outstanding.Remove(job.Node);
            return true;
        }
    }

    private static async Task WaitAsync(Task task, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted) return;
        try
        {
            await (timeout is { } t ? task.WaitAsync(t, cancellationToken) : task.WaitAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new GetTimeoutException(
                $"No result of the actor pool was ready within {timeout}; it is still to be taken: call GetNext again, or wait longer.");
        }
        catch when (task.IsCompleted) { } // a failed job: thrown where its result is taken
    }

    private static InvalidOperationException NothingPending() =>
        new("The actor pool has no result to take (HasNext is false): submit values first.");

    private sealed class Job
    {
        public LinkedListNode<Job>? Node { get; set; }
        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
