namespace Grid;

/// <summary>
/// The finalizable part of a ref that has a lifetime of its own (a put, a submitted task's result, a lone
/// deserialized ref): it and its ref become unreachable together, and its finalizer releases the ref's reference.
/// </summary>
internal sealed class RefFinalizer(ObjectRef reference)
{
    ~RefFinalizer() => reference.ReleaseCollected();
}

/// <summary>
/// The shared lifetime of the refs deserialized from one value: each ref points at it, so it is collected only once
/// none of them is reachable, and its finalizer then releases the references of those not disposed one by one.
/// Finalizable objects cost several times a plain allocation and survive a collection each; a value holding 10,000
/// refs (Ray's object containing 10k refs) pays that once instead of per ref. The price: a ref kept alive keeps the
/// other refs of its value counted until it too is dropped or disposed.
/// </summary>
internal sealed class RefBatch(IReferenceTracker tracker)
{
    private const int ChunkBits = 8, ChunkSize = 1 << ChunkBits;

    private struct Entry
    {
        public ObjectId Id;
        public int Owner; // index in _owners: a value's refs name few owners, and a GrainId is 32 bytes
        public int Released;
    }

    // Chunks never move once allocated, so a ref disposed while its value is still being read (the only other
    // thread that touches a batch before it is collected) marks the same entry that the finalizer reads.
    private Entry[][] _chunks = new Entry[1][];
    private int _count;
    // Written by the deserializing thread only; read by Release and the finalizer, which see every owner their entries name.
    private GrainId[] _owners = new GrainId[1];
    private int _ownerCount;

    /// <summary>Counts one more ref of the value (on the deserializing thread); its slot, or -1 when it is not counted.</summary>
    public int Add(ObjectId id, GrainId owner)
    {
        if (!tracker.AddLocalReference(id, owner)) return -1;
        var slot = _count;
        var chunk = slot >> ChunkBits;
        if (chunk == _chunks.Length) Array.Resize(ref _chunks, _chunks.Length * 2);
        var entries = _chunks[chunk] ??= new Entry[ChunkSize];
        ref var entry = ref entries[slot & (ChunkSize - 1)];
        entry.Id = id;
        entry.Owner = OwnerIndex(owner);
        _count = slot + 1;
        return slot;
    }

    private int OwnerIndex(GrainId owner)
    {
        for (var i = _ownerCount - 1; i >= 0; i--)
            if (_owners[i].Equals(owner)) return i;
        var owners = _owners;
        if (_ownerCount == owners.Length)
        {
            // A new array, never a resized one in place: a reader holding the old one still finds its owners there.
            owners = new GrainId[owners.Length * 2];
            _owners.AsSpan().CopyTo(owners);
        }
        owners[_ownerCount] = owner;
        Volatile.Write(ref _owners, owners);
        return _ownerCount++;
    }

    /// <summary>Releases the reference of the ref in <paramref name="slot"/> now (it was disposed).</summary>
    public void Release(int slot)
    {
        ref var entry = ref Volatile.Read(ref _chunks)[slot >> ChunkBits][slot & (ChunkSize - 1)];
        if (Interlocked.Exchange(ref entry.Released, 1) == 0) tracker.RemoveLocalReference(entry.Id, Volatile.Read(ref _owners)[entry.Owner]);
    }

    public int Count => _count;

    ~RefBatch()
    {
        for (var slot = 0; slot < _count; slot++)
        {
            ref var entry = ref _chunks[slot >> ChunkBits][slot & (ChunkSize - 1)];
            if (entry.Released == 0) tracker.RemoveLocalReference(entry.Id, _owners[entry.Owner]);
        }
    }
}
