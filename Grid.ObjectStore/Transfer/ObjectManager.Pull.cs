using System.Diagnostics;

namespace Grid.ObjectStore;

internal sealed partial class ObjectManager
{
    /// <summary>
    /// Makes object <paramref name="id"/> local by reading it from <paramref name="source"/>'s store, chunk by chunk
    /// straight into the mapped memory of a local object, then sealing it. Returns a lease on the local copy (at
    /// once when it is local already). Concurrent pulls of one id share a single transfer; it stops early only
    /// when every caller waiting on it has been cancelled. <paramref name="size"/> &lt; 0: ask the source.
    /// </summary>
    public async Task<StoredObject> PullAsync(ObjectId id, NodeId source, long size, CancellationToken ct = default)
    {
        var store = _store ?? throw new InvalidOperationException("This process has no local object store to pull into; use FetchAsync.");
        // A lease taken after the transfer can miss the object only if it was deleted in that instant; pull again then.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (store.TryGet(id, out var local)) return local;
            var pull = JoinOrStart(store, id, source, size);
            try
            {
                await pull.Completion.WaitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                pull.Leave();
            }
        }
        throw new ObjectLostException($"Object {id} was deleted from the local store as soon as it was pulled, three times over.");
    }

    private PullOperation JoinOrStart(LocalObjectStore store, ObjectId id, NodeId source, long size)
    {
        while (true)
        {
            if (_pulls.TryGetValue(id, out var running))
            {
                if (running.TryJoin()) return running;
                // Every caller left and it is being cancelled: replace it.
                _pulls.TryRemove(new KeyValuePair<ObjectId, PullOperation>(id, running));
                continue;
            }
            var pull = new PullOperation();
            if (!_pulls.TryAdd(id, pull)) continue;
            _ = RunPullAsync(pull, store, id, source, size);
            return pull;
        }
    }

    /// <summary>Runs one shared transfer and completes its operation; never throws (failures go to the waiters).</summary>
    private async Task RunPullAsync(PullOperation pull, LocalObjectStore store, ObjectId id, NodeId source, long size)
    {
        var token = pull.Cancellation.Token;
        Exception? failure = null;
        try
        {
            await Task.Yield(); // The caller that started the pull is not held up by its synchronous start.
            await PullIntoStoreAsync(store, id, source, size, token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            if (!token.IsCancellationRequested) Log.PullFailed(_logger, e, id, source);
        }
        // Out of the table before completing: a caller who then finds the object missing starts afresh.
        _pulls.TryRemove(new KeyValuePair<ObjectId, PullOperation>(id, pull));
        if (failure is null) pull.Done.TrySetResult();
        else if (failure is OperationCanceledException && token.IsCancellationRequested) pull.Done.TrySetCanceled(token);
        else pull.Done.TrySetException(failure);
    }

    private async Task PullIntoStoreAsync(LocalObjectStore store, ObjectId id, NodeId source, long size, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var grain = StoreOf(source);
        if (size < 0) size = await SizeOnAsync(grain, id, source).ConfigureAwait(false);
        // Same machine: share the source's file (a hard link, no copy) when possible; else copy from it below.
        var locator = await LocateOnThisHostAsync(grain, id, size).ConfigureAwait(false);
        if (locator is not null && store.TryAdopt(id, locator.Path, size))
        {
            AddPulled(size, new KeyValuePair<string, object?>("grid.transfer", "pull"), new KeyValuePair<string, object?>("grid.path", "same-host-link"));
            Log.Pulled(_logger, id, size, source, Milliseconds(started));
            return;
        }
        ObjectWriter? writer;
        while (!store.TryCreate(id, size, out writer))
        {
            // Someone else on this node is creating it (a task's result, a push, a pull racing this one): done
            // when they seal it; when they abort instead, the object is ours to pull.
            if (await store.WaitSettledAsync(id, ct).ConfigureAwait(false)) return;
        }
        using (writer) // Disposing an unsealed writer aborts: a failed pull leaves no partial object.
        {
            var memory = writer.Memory;
            // Over the network the bytes are written into the object's file (pwrite), not through its fresh
            // mapping: first-touch page faults on a new mapping cost more than the transfer itself.
            if (locator is null || !TryCopyFromSameHost(locator, id, memory, "pull", ct))
                await ReadOverNetworkAsync(grain, source, id, size, "pull", writer.Write, ct).ConfigureAwait(false);
            writer.Seal();
        }
        Log.Pulled(_logger, id, size, source, Milliseconds(started));
    }

    /// <summary>One transfer shared by every PullAsync of the same id; cancelled when its last waiter leaves early.</summary>
    private sealed class PullOperation
    {
        private int _waiters = 1;

        public CancellationTokenSource Cancellation { get; } = new();
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Completion => Done.Task;

        public bool TryJoin()
        {
            while (true)
            {
                var current = Volatile.Read(ref _waiters);
                if (current == 0) return false;
                if (Interlocked.CompareExchange(ref _waiters, current + 1, current) == current) return true;
            }
        }

        public void Leave()
        {
            if (Interlocked.Decrement(ref _waiters) == 0 && !Completion.IsCompleted) Cancellation.Cancel();
        }
    }
}
