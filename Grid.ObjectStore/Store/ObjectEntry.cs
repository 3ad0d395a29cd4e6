namespace Grid.ObjectStore;

/// <summary>The store's record of one object: its id, its memory, and where it is in its life (writing, sealed, removed).</summary>
internal sealed class ObjectEntry(ObjectId id, ObjectMemory memory)
{
    private const int Writing = 0, Sealed = 1, Removed = 2;
    private int _state = Writing;

    public ObjectId Id { get; } = id;
    public ObjectMemory Memory { get; } = memory;
    public long Size => Memory.Length;

    /// <summary>Completes when the entry stops being written: true when sealed, false when removed unsealed.</summary>
    public TaskCompletionSource<bool> Settled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsSealed => Volatile.Read(ref _state) == Sealed;
    public bool IsRemoved => Volatile.Read(ref _state) == Removed;

    /// <summary>Writing → sealed, once; false when already sealed or removed.</summary>
    public bool TrySeal() => Interlocked.CompareExchange(ref _state, Sealed, Writing) == Writing;

    /// <summary>Marks the entry removed; returns whether it was sealed (so the store can keep its sealed count).</summary>
    public bool MarkRemoved() => Interlocked.Exchange(ref _state, Removed) == Sealed;
}
