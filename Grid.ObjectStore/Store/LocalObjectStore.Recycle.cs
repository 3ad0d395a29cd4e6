namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>Bytes held in files of deleted objects kept for reuse (not counted in <see cref="UsedBytes"/>).</summary>
    public long RecycledBytes => _recycled.Bytes;

    /// <summary>
    /// The memory file of a new in-memory object: a kept file of the same size when there is one (its pages are
    /// allocated already, and its mapping too when it was kept), else a new one. Either way the object's file can be kept again when it is deleted.
    /// </summary>
    private ObjectMemory CreateInMemory(ObjectId id, int size)
    {
        var path = PathOf(id);
        if (_recycled.MaxBytes > 0 && _recycled.TryTake(size, path, out var mapping))
        {
            if (mapping is not null) return ObjectMemory.FromKept(path, mapping, _recycled);
            try
            {
                return ObjectMemory.Open(path, size, _recycled);
            }
            catch (IOException)
            {
                File.Delete(path); // unusable after all: make a fresh one
            }
        }
        return ObjectMemory.Create(path, size, _recycled.MaxBytes > 0 ? _recycled : null);
    }
}
