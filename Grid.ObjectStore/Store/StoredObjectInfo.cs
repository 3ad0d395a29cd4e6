namespace Grid.ObjectStore;

/// <summary>One object of a node's store as the memory summary shows it.</summary>
/// <param name="Spilled">Its bytes are in the spill directory, not in the store's memory.</param>
/// <param name="Leases">Readers holding it now (leases and zero-copy views).</param>
/// <param name="Owner">Who made it, when the creator said (the owner's address).</param>
internal sealed record StoredObjectInfo(ObjectId Id, long Size, bool Spilled, int Leases, string? Owner);
