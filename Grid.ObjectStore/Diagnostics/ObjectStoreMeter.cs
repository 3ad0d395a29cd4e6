namespace Grid.ObjectStore;

/// <summary>
/// Names of the object store's metrics (System.Diagnostics.Metrics). Each store and puller creates its own
/// <see cref="System.Diagnostics.Metrics.Meter"/> under this name, so several silos in one process (tests, local
/// mode) report separately and a disposed store stops reporting. In a silo every measurement is tagged <c>node</c> =
/// the node id (<c>LocalObjectStore.MetricTags</c>, <c>ObjectManager.MetricTags</c>).
/// </summary>
internal static class ObjectStoreMeter
{
    public const string Name = "Grid.ObjectStore";

    /// <summary>Sealed objects in the store.</summary>
    public const string Objects = "grid.objectstore.objects";

    /// <summary>Bytes of the objects in the store, those still being written included.</summary>
    public const string BytesUsed = "grid.objectstore.bytes_used";

    /// <summary>Bytes of objects held in the spill directory.</summary>
    public const string BytesSpilled = "grid.objectstore.bytes_spilled";

    /// <summary>Bytes of memory the store may hold (ObjectStoreOptions.CapacityBytes). Prometheus: grid_objectstore_capacity_bytes.</summary>
    public const string Capacity = "grid.objectstore.capacity";

    /// <summary>Bytes of spilled objects read back into memory (counter). Prometheus: grid_objectstore_restored_bytes_total.</summary>
    public const string RestoredBytes = "grid.objectstore.restored";

    /// <summary>Objects moved from memory to the spill directory.</summary>
    public const string Spills = "grid.objectstore.spills";

    /// <summary>Spilled objects read back into memory on access.</summary>
    public const string Restores = "grid.objectstore.restores";

    /// <summary>Bytes read from other nodes; tagged <c>grid.transfer</c> = pull (into the local store) or fetch (into a byte[]).</summary>
    public const string BytesPulled = "grid.objectstore.bytes_pulled";

    /// <summary>Bytes written to other nodes' stores.</summary>
    public const string BytesPushed = "grid.objectstore.bytes_pushed";
}
