namespace Grid.ObjectStore;

public sealed partial class LocalObjectStore
{
    /// <summary>
    /// Removes the object (sealed or still being written) and its file; false when absent. Its memory is unmapped
    /// when the last lease on it is released, at once when there is none.
    /// </summary>
    public bool Delete(ObjectId id) => _objects.TryGetValue(id, out var entry) && Remove(entry, aborted: false);

    /// <summary>Removes this very entry (not a later object with the same id) from the index and drops the index's reference.</summary>
    internal bool Remove(ObjectEntry entry, bool aborted)
    {
        if (!_objects.TryRemove(new KeyValuePair<ObjectId, ObjectEntry>(entry.Id, entry))) return false;
        if (entry.MarkRemoved()) Interlocked.Decrement(ref _sealedCount);
        Interlocked.Add(ref _usedBytes, -entry.Size);
        _capacity.Removed(entry.Id, entry.Size);
        entry.Settled.TrySetResult(false);
        entry.Memory.Unlink();
        entry.Memory.Release();
        Log.Removed(_logger, entry.Id, aborted ? "aborted" : "deleted", entry.Size);
        return true;
    }
}
