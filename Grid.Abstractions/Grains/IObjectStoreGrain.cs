namespace Grid.Grains;

/// <summary>Serves a node's object store to other nodes and to remote clients; pinned, keyed by node id.</summary>
internal interface IObjectStoreGrain : IGrainWithStringKey
{
    /// <summary>Size of the object, or -1 when this node does not hold it.</summary>
    [AlwaysInterleave] Task<long> GetSize(ObjectId id);

    /// <summary>The file that holds the (sealed) object on this node's machine; null when this node does not hold it.</summary>
    [AlwaysInterleave] Task<Wire.ObjectLocator?> Locate(ObjectId id);

    /// <summary>Reads part of an object; chunks stay well under Orleans' 100 MB message limit.</summary>
    [AlwaysInterleave] Task<byte[]> ReadChunk(ObjectId id, long offset, int length);

    /// <summary>Creates an object of <paramref name="size"/> bytes to be filled with WriteChunk then sealed.</summary>
    [AlwaysInterleave] Task Create(ObjectId id, long size);
    [AlwaysInterleave] Task WriteChunk(ObjectId id, long offset, byte[] data);
    [AlwaysInterleave] Task Seal(ObjectId id);

    /// <summary>
    /// Creates an object of <paramref name="size"/> bytes for a writer running on <paramref name="writerHost"/> (a
    /// <c>HostIdentity</c>; null when the writer wants no shared file). When that is this node's machine and the node
    /// allows same-host writes, returns the object's file: the writer fills it directly, then calls Seal (or Abort).
    /// Null: fill it with WriteChunk (or the transfer channel). Either way the node allocates and accounts the object.
    /// </summary>
    [AlwaysInterleave] Task<Wire.ObjectLocator?> CreateForWriter(ObjectId id, long size, string? writerHost);

    /// <summary>Drops an object still being written (a failed put); false when it is sealed already or not here.</summary>
    [AlwaysInterleave] Task<bool> Abort(ObjectId id);

    [AlwaysInterleave] Task Delete(ObjectId id);

    /// <summary>Records who owns the object here (shown by the memory summary); no-op when the node does not hold it.</summary>
    [AlwaysInterleave] Task SetOwner(ObjectId id, string owner);

    /// <summary>Every sealed object of this node's store: size, spilled or not, readers, owner.</summary>
    [AlwaysInterleave] Task<Wire.StoredObjectRecord[]> Describe();
}
