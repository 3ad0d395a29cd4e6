using System.Diagnostics.CodeAnalysis;

namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>
    /// Creates object <paramref name="id"/> of exactly <paramref name="size"/> bytes, to be written through the
    /// returned writer and then sealed. When memory is full, idle objects spill to disk to make room; when they
    /// cannot, the object is created in the spill directory. Throws <see cref="InvalidOperationException"/> when the
    /// id exists (or is being created), <see cref="NotSupportedException"/> above <see cref="int.MaxValue"/> bytes,
    /// and <see cref="ObjectStoreFullException"/> when neither memory nor disk can take it.
    /// </summary>
    public ObjectWriter Create(ObjectId id, long size) =>
        TryCreate(id, size, out var writer)
            ? writer
            : throw new InvalidOperationException($"Object {id} already exists in this store; objects are immutable and created once.");

    /// <summary>As <see cref="Create"/>, but returns false instead of throwing when the id exists.</summary>
    public bool TryCreate(ObjectId id, long size, [NotNullWhen(true)] out ObjectWriter? writer)
    {
        var entry = TryCreateEntry(id, size, withWriterLease: true, externalWriter: false);
        writer = entry is null ? null : new ObjectWriter(this, entry);
        return writer is not null;
    }

    /// <summary>Create, copy (into the file, see <see cref="ObjectWriter.Write"/>), seal.</summary>
    public void Put(ObjectId id, ReadOnlySpan<byte> data)
    {
        using var writer = Create(id, data.Length);
        writer.Write(0, data);
        writer.Seal();
    }

    /// <summary>Create, write <paramref name="header"/> and then <paramref name="body"/> (two pieces, no staging copy), seal.</summary>
    public void Put(ObjectId id, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        using var writer = Create(id, (long)header.Length + body.Length);
        writer.Write(0, header);
        writer.Write(header.Length, body);
        writer.Seal();
    }

    /// <summary>
    /// Creates an object filled from outside this process and sealed by id: chunks pushed through the grain or the
    /// transfer channel (<see cref="WriteAt"/>), or, with <paramref name="externalWriter"/>, a writer on this machine
    /// filling the returned file itself. The object is dropped if it is not sealed within
    /// <see cref="ObjectStoreOptions.UnsealedWriteTimeout"/> (its writer died mid-write). Returns the object's file.
    /// </summary>
    internal string CreateForPush(ObjectId id, long size, bool externalWriter = false)
    {
        var entry = TryCreateEntry(id, size, withWriterLease: false, externalWriter)
            ?? throw new InvalidOperationException($"Object {id} already exists in this store; objects are immutable and created once.");
        _ = DropIfUnsealedAsync(entry);
        return entry.Memory?.FilePath ?? entry.SpillPath ?? PathOf(id);
    }

    /// <summary>Drops <paramref name="entry"/> when it is still unsealed after the timeout; returns at once when it settles.</summary>
    private async Task DropIfUnsealedAsync(ObjectEntry entry)
    {
        try
        {
            await entry.Settled.Task.WaitAsync(_unsealedWriteTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (Abandon(entry)) Log.UnsealedDropped(_logger, entry.Id, _unsealedWriteTimeout);
        }
    }

    /// <summary>
    /// Drops object <paramref name="id"/> when it is still being written (its put failed); false when it is sealed
    /// (a sealed object is never dropped this way: a late abort cannot remove a good object) or absent.
    /// </summary>
    public bool Abort(ObjectId id) => _objects.TryGetValue(id, out var entry) && Abandon(entry);

    private bool Abandon(ObjectEntry entry)
    {
        // The state moves first, atomically: a seal racing this either wins (nothing is dropped) or fails.
        if (!entry.TryAbandon()) return false;
        Remove(entry, aborted: true);
        return true;
    }

    /// <summary>Copies a pushed chunk into an unsealed object, holding a lease for the copy so a concurrent delete cannot unmap it.</summary>
    internal void WriteAt(ObjectId id, long offset, ReadOnlySpan<byte> data)
    {
        if (!_objects.TryGetValue(id, out var entry) || entry.Memory is not { } memory || !memory.TryAddReference())
            throw new InvalidOperationException($"Object {id} is not being created in this store (it was never created, or was deleted).");
        try
        {
            if (entry.IsSealed) throw new InvalidOperationException($"Object {id} is sealed; objects are immutable.");
            if (offset < 0 || offset > entry.Size - data.Length)
                throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A {data.Length}-byte write at {offset} does not fit object {id} of {entry.Size} bytes.");
            if (memory.WritesThroughMapping)
            {
                ParallelCopy.Copy(data, memory.GetSpan()[(int)offset..]);
                return;
            }
            // Into the file, not the fresh mapping: see ObjectWriter.Write (first-touch page faults cost more than the copy).
            using var file = File.OpenHandle(memory.FilePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.Write(file, data, offset);
        }
        finally
        {
            memory.Release();
        }
    }

    internal void Seal(ObjectId id)
    {
        if (!_objects.TryGetValue(id, out var entry))
            throw new InvalidOperationException($"Object {id} is not in this store (it was never created, or was deleted).");
        Seal(entry);
    }

    internal void Seal(ObjectEntry entry)
    {
        if (!entry.TrySeal())
            throw new InvalidOperationException(entry.IsRemoved
                ? $"Object {entry.Id} was deleted before it was sealed."
                : $"Object {entry.Id} is already sealed.");
        Interlocked.Increment(ref _sealedCount);
        entry.Settled.TrySetResult(true);
        Log.Sealed(_logger, entry.Id);
        RaiseSealed(entry.Id, entry.Size);

        // The state changed before the lock is taken, so a WaitAsync that checks under the lock either sees the
        // object sealed or has registered the waiter this wakes.
        Waiter? waiter;
        lock (_lock) _waiters.Remove(entry.Id, out waiter);
        waiter?.Signal.TrySetResult();
    }

    /// <summary>Null when the id exists or is being created.</summary>
    private ObjectEntry? TryCreateEntry(ObjectId id, long size, bool withWriterLease, bool externalWriter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size > int.MaxValue)
            throw new NotSupportedException($"Object {id} is {size} bytes; the store holds objects of at most {int.MaxValue} bytes (the limit of Memory<byte>).");

        // The id is reserved under the lock, the file created outside it: creates of different objects (each
        // fallocates and maps) proceed in parallel.
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_objects.ContainsKey(id) || !_creating.TryAdd(id, null)) return null;
        }

        ObjectMemory memory;
        bool onDisk;
        try
        {
            (memory, onDisk) = Allocate(id, size);
        }
        catch
        {
            EndReservation(id, entry: null);
            throw;
        }

        // The writer's lease is taken before the entry is visible: a delete racing the create must not unmap it.
        if (withWriterLease) memory.TryAddReference();
        var entry = new ObjectEntry(id, size, memory, onDisk) { SpillPath = onDisk ? memory.FilePath : null, ExternalWriter = externalWriter };
        if (!EndReservation(id, entry))
        {
            entry.MarkRemoved();
            memory.Unlink();
            memory.Release();
            if (withWriterLease) memory.Release();
            Unaccount(size, onDisk);
            throw new ObjectDisposedException(nameof(LocalObjectStore));
        }
        Log.Created(_logger, id, size);
        return entry;
    }

    /// <summary>
    /// Ends a create's reservation of <paramref name="id"/>, listing <paramref name="entry"/> (when the create
    /// succeeded and the store is still open), and wakes whoever waits on the outcome. Returns whether it was listed.
    /// </summary>
    private bool EndReservation(ObjectId id, ObjectEntry? entry)
    {
        var added = false;
        TaskCompletionSource? signal;
        lock (_lock)
        {
            _creating.Remove(id, out signal);
            // Dispose flips the flag under this lock before it empties the index, so an entry added here is
            // either seen by Dispose or never added.
            if (entry is not null && !_disposed)
            {
                _objects[id] = entry; // its bytes were counted when Allocate reserved them
                added = true;
            }
        }
        signal?.TrySetResult();
        return added;
    }
}
