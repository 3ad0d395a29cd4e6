namespace Grid.Core;

/// <summary>Get-many over refs, in O(n) continuations rather than repeated WhenAny scans (wait: see <see cref="ObjectWaiter"/>).</summary>
internal static class ObjectGetter
{
    public static async Task<T[]> GetAllAsync<T>(CoreWorker worker, ObjectRef<T>[] refs, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (refs.Length == 0) return [];
        for (var i = 0; i < refs.Length; i++) ObjectWaiter.CheckRef(refs[i], i);
        var payloads = worker.PayloadsOf(refs);
        var allReady = WhenAllOrFirstError(payloads);
        if (!allReady.IsCompleted)
        {
            using var blocked = ExecutionScope.EnterBlocked();
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
        if (failed >= 0) await worker.MaterializeAsync(payloads[failed].Result, typeof(T), refs[failed].Id, refs[failed].Owner, cancellationToken).ConfigureAwait(false);
        var values = new T[refs.Length];
        for (var i = 0; i < refs.Length; i++)
            values[i] = (T)(await worker.MaterializeAsync(payloads[i].Result, typeof(T), refs[i].Id, refs[i].Owner, cancellationToken).ConfigureAwait(false))!;
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
}
