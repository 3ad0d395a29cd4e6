namespace Grid.Core;

/// <summary>Get-many and wait over refs, in O(n) continuations rather than repeated WhenAny scans.</summary>
internal static class ObjectGetter
{
    public static async Task<T[]> GetAllAsync<T>(CoreWorker worker, ObjectRef<T>[] refs, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (refs.Length == 0) return [];
        var payloads = worker.PayloadsOf(refs);
        var allReady = WhenAllOrFirstError(payloads);
        if (!allReady.IsCompleted)
        {
            using var blocked = GridContext.TryGetCurrent()?.EnterBlocked();
            try
            {
                await (timeout is { } t ? allReady.WaitAsync(t, cancellationToken) : allReady.WaitAsync(cancellationToken)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                var pending = payloads.Count(p => !p.IsCompleted);
                throw new GetTimeoutException($"{pending} of {refs.Length} objects were not ready within {timeout}. They are still being computed: get them again, or wait longer.");
            }
        }
        var failed = allReady.Result;
        if (failed >= 0) await worker.MaterializeAsync(payloads[failed].Result, typeof(T), refs[failed].Id, cancellationToken).ConfigureAwait(false);
        var values = new T[refs.Length];
        for (var i = 0; i < refs.Length; i++)
            values[i] = (T)(await worker.MaterializeAsync(payloads[i].Result, typeof(T), refs[i].Id, cancellationToken).ConfigureAwait(false))!;
        return values;
    }

    /// <summary>Completes with -1 when every payload is ready, or with the index of the first error payload.</summary>
    private static Task<int> WhenAllOrFirstError(Task<Wire.ObjectPayload>[] payloads)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = payloads.Length;
        for (var i = 0; i < payloads.Length; i++)
        {
            var index = i;
            _ = payloads[i].ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result.Kind == Wire.PayloadKind.Error) done.TrySetResult(index);
                else if (!t.IsCompletedSuccessfully) done.TrySetException(t.Exception?.InnerExceptions ?? [new TaskCanceledException()]);
                else if (Interlocked.Decrement(ref remaining) == 0) done.TrySetResult(-1);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }
        return done.Task;
    }

    public static async Task<WaitResult<T>> WaitAsync<T>(CoreWorker worker, IReadOnlyList<ObjectRef<T>> refs, int numReturns, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (refs.Count == 0) return new WaitResult<T>([], []);
        if (refs.Select(r => r.Id).Distinct().Count() != refs.Count)
            throw new ArgumentException("WaitAsync was given the same ref more than once; pass distinct refs.", nameof(refs));
        if (numReturns < 1 || numReturns > refs.Count)
            throw new ArgumentOutOfRangeException(nameof(numReturns), $"numReturns must be between 1 and the number of refs ({refs.Count}); it was {numReturns}.");

        var payloads = worker.PayloadsOf(refs);
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < payloads.Length; i++)
        {
            var index = i;
            _ = payloads[i].ContinueWith(_ =>
            {
                order.Enqueue(index);
                if (order.Count >= numReturns) enough.TrySetResult();
            }, TaskContinuationOptions.ExecuteSynchronously);
        }
        if (!enough.Task.IsCompleted)
        {
            using var blocked = GridContext.TryGetCurrent()?.EnterBlocked();
            try
            {
                await (timeout is { } t ? enough.Task.WaitAsync(t, cancellationToken) : enough.Task.WaitAsync(cancellationToken)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A wait that times out answers with what is ready, as in Ray.
            }
        }
        var ready = order.Take(numReturns).ToArray();
        var readySet = new HashSet<int>(ready);
        return new WaitResult<T>(
            ready.Select(i => refs[i]).ToArray(),
            Enumerable.Range(0, refs.Count).Where(i => !readySet.Contains(i)).Select(i => refs[i]).ToArray());
    }
}
