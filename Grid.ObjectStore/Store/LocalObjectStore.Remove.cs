namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>
    /// Removes the object (sealed or still being written, in memory or spilled) and its file; false when absent.
    /// Its memory is unmapped when the last lease on it is released, at once when there is none.
    /// </summary>
    public bool Delete(ObjectId id) => _objects.TryGetValue(id, out var entry) && Remove(entry, aborted: false);

    /// <summary>Removes this very entry (not a later object with the same id) from the index and drops the index's reference.</summary>
    internal bool Remove(ObjectEntry entry, bool aborted)
    {
        lock (entry.Gate) // not while it moves to or from disk
        {
            if (!_objects.TryRemove(new KeyValuePair<ObjectId, ObjectEntry>(entry.Id, entry))) return false;
            var wasSealed = entry.MarkRemoved();
            if (wasSealed)
            {
                Interlocked.Decrement(ref _sealedCount);
                RaiseRemoved(entry.Id);
            }
            Unaccount(entry.Size, entry.OnDisk);
            entry.Settled.TrySetResult(false);
            var memory = entry.Memory;
            entry.Memory = null;
            if (memory is not null)
            {
                // A writer in another process may still have an unsealed object's file open: never reuse that file.
                if (!wasSealed && entry.ExternalWriter) memory.MarkShared();
                memory.Retire(); // a spilled object mapped from disk: this removes its spill file
                memory.Release();
            }
            else if (entry.SpillPath is { } spilled)
            {
                TryDelete(spilled);
            }
        }
        Log.Removed(_logger, entry.Id, aborted ? "aborted" : "deleted", entry.Size);
        return true;
    }
}
