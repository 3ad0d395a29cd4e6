namespace Grid.ObjectStore;

/// <summary>
/// Where capacity, LRU eviction and spilling will plug into <see cref="LocalObjectStore"/>; they come later.
/// The store calls the policy at the three moments such a feature needs: before memory is taken (a bounded
/// policy would evict or spill least-recently-used objects no one holds a lease on, see
/// <see cref="ObjectMemory.LeaseCount"/>, or refuse), when a reader gets an object (LRU order), and when an object
/// leaves the store. Today the only policy admits everything.
/// </summary>
internal interface ICapacityPolicy
{
    /// <summary>Called before <paramref name="size"/> bytes are mapped for <paramref name="id"/>; may throw to refuse.</summary>
    void Reserve(ObjectId id, long size);

    /// <summary>A reader got <paramref name="id"/>: the LRU hook.</summary>
    void Touched(ObjectId id);

    /// <summary><paramref name="id"/> left the store (deleted, aborted, or its creation failed after <see cref="Reserve"/>).</summary>
    void Removed(ObjectId id, long size);
}

/// <summary>No limit: <see cref="ObjectStoreOptions.CapacityBytes"/> is not enforced yet.</summary>
internal sealed class UnboundedCapacityPolicy : ICapacityPolicy
{
    public static readonly UnboundedCapacityPolicy Instance = new();

    public void Reserve(ObjectId id, long size) { }
    public void Touched(ObjectId id) { }
    public void Removed(ObjectId id, long size) { }
}
