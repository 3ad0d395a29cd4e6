namespace Grid.ObjectStore;

/// <summary>
/// The store's record of one object: its id, where its bytes are (mapped memory, a spill file on disk, or both when
/// a spilled object is mapped from disk), and where it is in its life (writing, sealed, removed).
/// </summary>
/// <remarks>
/// Moves between memory and disk happen under <see cref="Gate"/>; readers take the lock-free path through
/// <see cref="Memory"/> and fall back to the gate only when the object is not mapped.
/// </remarks>
internal sealed class ObjectEntry
{
    private const int Writing = 0, Sealed = 1, Removed = 2;
    private static long s_clock;
    private int _state = Writing;
    private ObjectMemory? _memory;
    private long _lastUsed;

    public ObjectEntry(ObjectId id, long size, ObjectMemory memory, bool onDisk)
    {
        Id = id;
        Size = size;
        _memory = memory;
        OnDisk = onDisk;
        Touch();
    }

    public ObjectId Id { get; }
    public long Size { get; }

    /// <summary>Serialises moves to and from disk and removal.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The mapped bytes; null while the object is spilled and not mapped.</summary>
    public ObjectMemory? Memory
    {
        get => Volatile.Read(ref _memory);
        set => Volatile.Write(ref _memory, value);
    }

    /// <summary>The bytes live in the spill directory (mapped from there or not), not in the store's memory.</summary>
    public bool OnDisk { get; set; }

    /// <summary>The spill file, when the object is <see cref="OnDisk"/>.</summary>
    public string? SpillPath { get; set; }

    /// <summary>Who made the object, when the creator said (for the memory summary).</summary>
    public string? Owner { get; set; }

    /// <summary>A logical clock of the last read: the LRU order of spilling.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    public void Touch() => Volatile.Write(ref _lastUsed, Interlocked.Increment(ref s_clock));

    /// <summary>Completes when the entry stops being written: true when sealed, false when removed unsealed.</summary>
    public TaskCompletionSource<bool> Settled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsSealed => Volatile.Read(ref _state) == Sealed;
    public bool IsRemoved => Volatile.Read(ref _state) == Removed;

    /// <summary>Writing → sealed, once; false when already sealed or removed.</summary>
    public bool TrySeal() => Interlocked.CompareExchange(ref _state, Sealed, Writing) == Writing;

    /// <summary>Writing → removed, once: an unsealed object given up (a failed or abandoned put); false when sealed or removed already.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Removed, Writing) == Writing;

    /// <summary>
    /// Another process writes this object through its file (a same-host put). If the object is removed unsealed, that
    /// writer may still hold the file open, so the file must never be reused for another object.
    /// </summary>
    public bool ExternalWriter { get; init; }

    /// <summary>Marks the entry removed; returns whether it was sealed (so the store can keep its sealed count).</summary>
    public bool MarkRemoved() => Interlocked.Exchange(ref _state, Removed) == Sealed;
}
