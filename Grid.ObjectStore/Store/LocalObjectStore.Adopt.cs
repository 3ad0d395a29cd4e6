using System.Runtime.InteropServices;

namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>
    /// Takes a sealed object from another store on this machine without copying it: a hard link of that store's
    /// file into this store's directory. Both names then share the same pages (objects are immutable, so sharing
    /// is safe), and either store deleting its name leaves the other's intact. False when this cannot be done —
    /// another file system (the source's copy is spilled to disk), the file moved, the id exists here, or memory is
    /// full — and the caller copies instead.
    /// </summary>
    internal bool TryAdopt(ObjectId id, string sourcePath, long size)
    {
        if (size <= 0 || size > int.MaxValue || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return false;
        lock (_lock)
        {
            if (_disposed || _objects.ContainsKey(id) || !_creating.TryAdd(id, null)) return false;
        }
        ObjectEntry? entry = null;
        try
        {
            if (!TryReserveMemory(size, exclude: null)) return false;
            var path = PathOf(id);
            if (Link(sourcePath, path) != 0)
            {
                Unaccount(size, onDisk: false);
                return false;
            }
            ObjectMemory memory;
            try
            {
                if (new FileInfo(path).Length != size) throw new IOException("size differs");
                memory = ObjectMemory.Open(path, (int)size);
            }
            catch (IOException)
            {
                File.Delete(path);
                Unaccount(size, onDisk: false);
                return false;
            }
            entry = new ObjectEntry(id, size, memory, onDisk: false);
            entry.TrySeal();
        }
        finally
        {
            if (!EndReservation(id, entry) && entry is not null)
            {
                entry.MarkRemoved();
                entry.Memory!.Unlink();
                entry.Memory.Release();
                Unaccount(size, onDisk: false);
                entry = null;
            }
        }
        if (entry is null) return false;
        Interlocked.Increment(ref _sealedCount);
        entry.Settled.TrySetResult(true);
        Log.Created(_logger, id, size);
        Log.Sealed(_logger, id);
        RaiseSealed(id, size);
        Waiter? waiter;
        lock (_lock) _waiters.Remove(id, out waiter);
        waiter?.Signal.TrySetResult();
        return true;
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
