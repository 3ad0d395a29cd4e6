using System.Diagnostics.CodeAnalysis;

namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>
    /// Gets a lease on a sealed object: a view of its mapped memory, the same memory for every reader. A spilled
    /// object is read back first (into memory when there is room, else mapped from its spill file). False when the
    /// object is absent or not sealed yet. Dispose the lease when done: an object with a lease never spills.
    /// </summary>
    public bool TryGet(ObjectId id, [NotNullWhen(true)] out StoredObject? obj)
    {
        obj = null;
        if (!_objects.TryGetValue(id, out var entry) || !entry.IsSealed) return false;
        // Lock-free when mapped: the index's own reference keeps the count above zero while the object is mapped for
        // the store, and TryAddReference refuses memory whose count fell to zero (deleted, or claimed by a spill).
        var memory = entry.Memory;
        if (memory is null || !memory.TryAddReference())
        {
            lock (entry.Gate)
            {
                if (entry.IsRemoved) return false;
                memory = entry.Memory ?? Restore(entry);
                if (!memory.TryAddReference()) return false;
            }
        }
        else if (entry.IsRemoved)
        {
            // Deleted between the lookup and the lease: the caller sees it absent, as it would a moment later.
            memory.Release();
            return false;
        }
        entry.Touch();
        obj = new StoredObject(id, memory);
        return true;
    }

    /// <summary>
    /// The file that holds a sealed object now (its memory file, or its spill file). It may move (spill, restore)
    /// right after: a reader that cannot open it, or finds another size, falls back to asking for the bytes.
    /// </summary>
    public bool TryLocate(ObjectId id, [NotNullWhen(true)] out string? path, out long size)
    {
        path = null;
        size = 0;
        if (!_objects.TryGetValue(id, out var entry) || !entry.IsSealed || entry.IsRemoved) return false;
        var memory = entry.Memory;
        memory?.MarkShared(); // someone outside this store may open the file: it must never be reused
        path = memory?.FilePath ?? entry.SpillPath;
        size = entry.Size;
        return path is not null;
    }

    /// <summary>The size of object <paramref name="id"/> when this store holds it sealed; false when absent or still being written.</summary>
    public bool TryGetSealedSize(ObjectId id, out long size)
    {
        size = 0;
        if (!_objects.TryGetValue(id, out var entry) || !entry.IsSealed || entry.IsRemoved) return false;
        size = entry.Size;
        return true;
    }

    /// <summary>Completes with a lease on the object once it is sealed (at once when it already is).</summary>
    public async Task<StoredObject> WaitAsync(ObjectId id, CancellationToken ct = default)
    {
        while (true)
        {
            if (TryGet(id, out var obj)) return obj;
            Waiter? waiter;
            lock (_lock)
            {
                ThrowIfDisposed();
                if (TryGet(id, out obj)) return obj;
                if (!_waiters.TryGetValue(id, out waiter)) _waiters[id] = waiter = new Waiter();
                waiter.Count++;
            }
            try
            {
                await waiter.Signal.Task.WaitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    // The last waiter to give up removes the signal, so cancelled waits leave nothing behind.
                    if (--waiter.Count == 0 && _waiters.TryGetValue(id, out var current) && current == waiter)
                        _waiters.Remove(id);
                }
            }
            // Sealed: loop to take the lease. If it was deleted again in between, wait for the next seal.
        }
    }

    /// <summary>
    /// Waits until whoever is creating <paramref name="id"/> finishes: true when it was sealed, false when it was
    /// aborted or deleted first, or is not in the store. Unlike <see cref="WaitAsync"/>, an abandoned create does
    /// not leave the caller waiting: a puller that lost the race to create an object retries when this says false.
    /// </summary>
    internal async Task<bool> WaitSettledAsync(ObjectId id, CancellationToken ct)
    {
        while (true)
        {
            Task? reservation = null;
            ObjectEntry? entry;
            lock (_lock)
            {
                // A create moves the id from _creating to _objects under this lock: one of the two holds it, or neither.
                if (_creating.TryGetValue(id, out var signal))
                {
                    if (signal is null) _creating[id] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    reservation = signal.Task;
                }
                _objects.TryGetValue(id, out entry);
            }
            if (reservation is not null)
            {
                await reservation.WaitAsync(ct).ConfigureAwait(false);
                continue;
            }
            return entry is not null && await entry.Settled.Task.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
