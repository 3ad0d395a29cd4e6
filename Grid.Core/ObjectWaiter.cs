using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// Ray's wait: the first <c>numReturns</c> ready refs in input order, and the rest. A loop that waits for one ref at
/// a time over n refs makes n waits, so one wait must cost O(n) plain work: a scan that stops at the last ready ref
/// it needs, no allocation per ref when enough are ready already, and completion callbacks registered only when too
/// few are ready.
/// </summary>
internal static class ObjectWaiter
{
    [ThreadStatic] private static HashSet<ObjectId>? t_seen;

    public static async Task<WaitResult<T>> WaitAsync<T>(CoreWorker worker, IReadOnlyList<ObjectRef<T>> refs, int numReturns, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var count = refs.Count;
        if (count == 0) return new WaitResult<T>([], []);
        if (numReturns < 1 || numReturns > count)
            throw new ArgumentOutOfRangeException(nameof(numReturns), $"numReturns must be between 1 and the number of refs ({count}); it was {numReturns}.");
        // The lists a wait returns are subsets of a checked list: waiting on them again needs no new check.
        if (refs is not DistinctRefs<T>) EnsureDistinct(refs);

        var payloads = ArrayPool<Task<ObjectPayload>>.Shared.Rent(count);
        try
        {
            var scanned = 0;
            var ready = 0;
            while (scanned < count && ready < numReturns)
            {
                var r = refs[scanned];
                var payload = payloads[scanned++] = worker.GetPayloadAsync(r.Id, r.Owner);
                if (payload.IsCompleted) ready++;
            }
            if (ready == numReturns || timeout == TimeSpan.Zero) return Split(refs, payloads, scanned, ready);

            // Counted afresh: a payload that completed since the scan must count too, or its wake-up is lost.
            var waiter = new Waiter(numReturns);
            for (var i = 0; i < count; i++)
            {
                if (payloads[i].IsCompleted) waiter.OnPayloadCompleted();
                else Watch.Add(payloads[i], waiter);
            }
            using (ExecutionScope.EnterBlocked())
            {
                try
                {
                    await (timeout is { } t ? waiter.Task.WaitAsync(t, cancellationToken) : waiter.Task.WaitAsync(cancellationToken)).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // A wait that times out answers with what is ready, as in Ray.
                }
            }
            ready = 0;
            for (var i = 0; i < count && ready < numReturns; i++)
                if (payloads[i].IsCompleted) ready++;
            return Split(refs, payloads, count, ready);
        }
        finally
        {
            ArrayPool<Task<ObjectPayload>>.Shared.Return(payloads, clearArray: true);
        }
    }

    /// <summary>
    /// Checks the ref at <paramref name="index"/> of a caller's list: a null one is an argument error naming the index,
    /// a disposed one an <see cref="ObjectDisposedException"/> (it no longer keeps its object alive), as for one ref.
    /// </summary>
    internal static ObjectRef CheckRef(ObjectRef? reference, int index)
    {
        if (reference is null)
            throw new ArgumentException($"The ref at index {index} is null; pass refs that Remote, Call or PutAsync returned.", "references");
        ObjectDisposedException.ThrowIf(reference.IsDisposed, reference);
        return reference;
    }

    private static void EnsureDistinct<T>(IReadOnlyList<ObjectRef<T>> refs)
    {
        var seen = t_seen ??= [];
        try
        {
            for (var i = 0; i < refs.Count; i++)
                if (!seen.Add(CheckRef(refs[i], i).Id))
                    throw new ArgumentException($"WaitAsync was given the ref {refs[i].Id} more than once; pass distinct refs.", nameof(refs));
        }
        finally
        {
            seen.Clear();
        }
    }

    /// <summary>
    /// The first <paramref name="take"/> ready refs among the first <paramref name="scanned"/> (which hold at least
    /// that many: readiness only grows) and all the others, both in input order.
    /// </summary>
    private static WaitResult<T> Split<T>(IReadOnlyList<ObjectRef<T>> refs, Task<ObjectPayload>[] payloads, int scanned, int take)
    {
        var ready = new ObjectRef<T>[take];
        var notReady = new ObjectRef<T>[refs.Count - take];
        int r = 0, n = 0;
        ReadOnlySpan<ObjectRef<T>> source = refs switch { DistinctRefs<T> d => d.Items, ObjectRef<T>[] a => a, _ => default };
        if (!source.IsEmpty)
        {
            // The not-ready refs between two ready ones move as one block (a loop of single waits copies two blocks).
            var runStart = 0;
            for (var i = 0; i < scanned && r < take; i++)
            {
                if (!payloads[i].IsCompleted) continue;
                source[runStart..i].CopyTo(notReady.AsSpan(n));
                n += i - runStart;
                ready[r++] = source[i];
                runStart = i + 1;
            }
            source[runStart..].CopyTo(notReady.AsSpan(n));
            return new WaitResult<T>(new DistinctRefs<T>(ready), new DistinctRefs<T>(notReady));
        }
        for (var i = 0; i < refs.Count; i++)
        {
            if (r < take && i < scanned && payloads[i].IsCompleted) ready[r++] = refs[i];
            else notReady[n++] = refs[i];
        }
        return new WaitResult<T>(new DistinctRefs<T>(ready), new DistinctRefs<T>(notReady));
    }

    /// <summary>Completes once <c>needed</c> of the payloads it watches completed.</summary>
    private sealed class Waiter(int needed) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private int _needed = needed;

        public void OnPayloadCompleted()
        {
            if (Interlocked.Decrement(ref _needed) == 0) TrySetResult();
        }
    }

    /// <summary>
    /// The one completion hook of a pending payload, shared by every wait on it. A loop of waits over the same
    /// pending refs would otherwise leave one hook per wait on each payload, all run when it completes; here a
    /// finished wait is dropped from the hook's list by the next wait that joins it.
    /// </summary>
    private sealed class Watch
    {
        private static readonly ConditionalWeakTable<Task<ObjectPayload>, Watch> s_watches = new();
        private readonly List<Waiter> _waiters = new(1);
        private bool _fired;

        public static void Add(Task<ObjectPayload> payload, Waiter waiter)
        {
            var watch = s_watches.GetValue(payload, static p =>
            {
                var created = new Watch();
                p.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(created.Fire);
                return created;
            });
            lock (watch._waiters)
            {
                if (!watch._fired)
                {
                    watch._waiters.RemoveAll(static w => w.Task.IsCompleted);
                    watch._waiters.Add(waiter);
                    return;
                }
            }
            waiter.OnPayloadCompleted(); // completed meanwhile
        }

        private void Fire()
        {
            Waiter[] waiters;
            lock (_waiters)
            {
                _fired = true;
                waiters = [.. _waiters];
                _waiters.Clear();
            }
            foreach (var w in waiters) w.OnPayloadCompleted();
        }
    }
}

/// <summary>Refs known to be distinct (a wait's answer), so that waiting on them again skips the duplicate check.</summary>
internal sealed class DistinctRefs<T>(ObjectRef<T>[] items) : IReadOnlyList<ObjectRef<T>>
{
    public ObjectRef<T>[] Items => items;
    public ObjectRef<T> this[int index] => items[index];
    public int Count => items.Length;
    public IEnumerator<ObjectRef<T>> GetEnumerator() => ((IEnumerable<ObjectRef<T>>)items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();
}
