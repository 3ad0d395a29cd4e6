namespace Grid.ObjectStore;

/// <summary>
/// Files of deleted objects kept for reuse by new objects of the same size (Plasma reuses its arena the same way).
/// A new tmpfs file costs page allocation on create and page freeing on delete, and in a VM the fresh pages cost
/// host faults too; a kept file's pages are already there, so a put into it is a plain copy. Its mapping is kept
/// with it (see <see cref="KeptMapping"/>), so that the mapping's page tables need not be built again either. Bounded by bytes.
/// </summary>
/// <remarks>
/// Only files nobody else can see are kept: objects created by this store (not adopted by hard link), never handed
/// out by <see cref="LocalObjectStore.TryLocate"/> (another process may hold them open), and only once the last
/// lease in this process is gone (see <see cref="ObjectMemory.Retire"/>). A file handed to a same-host writer
/// (<see cref="LocalObjectStore.CreateForPush"/>) stays reusable: that writer is done with it before the object is
/// sealed, and writes into it again only when the store hands it out again; a file whose object was dropped unsealed
/// is never kept (its writer may still hold it). A kept file still holds the old bytes:
/// every writer of a new object writes all of it, as pulls, puts and serialized results do.
/// </remarks>
internal sealed class RecycledFiles(string directory, long maxBytes)
{
    /// <summary>Smaller files are not worth keeping: their pages are few, and each kept file is a name in the directory.</summary>
    public const int MinSize = 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, Stack<Kept>> _bySize = [];
    private long _bytes;
    private long _names;
    private bool _closed;

    public long MaxBytes => maxBytes;

    /// <summary>Bytes held in kept files.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>A fresh name in the store's directory for a file on its way to being kept.</summary>
    public string NewName() => Path.Combine(directory, $".recycled-{Interlocked.Increment(ref _names)}");

    /// <summary>
    /// Keeps the file at <paramref name="path"/>, with its mapping when given (owned by this from then on); false
    /// when it does not fit (the caller deletes the file and disposes the mapping).
    /// </summary>
    public bool TryKeep(string path, int size, KeptMapping? mapping = null)
    {
        if (size < MinSize) return false;
        lock (_lock)
        {
            if (_closed || _bytes + size > maxBytes) return false;
            if (!_bySize.TryGetValue(size, out var files)) _bySize[size] = files = new Stack<Kept>();
            files.Push(new Kept(path, mapping));
            _bytes += size;
            return true;
        }
    }

    /// <summary>Moves a kept file of exactly <paramref name="size"/> bytes to <paramref name="path"/>; the caller owns its mapping, if any.</summary>
    public bool TryTake(int size, string path, out KeptMapping? mapping)
    {
        mapping = null;
        while (true)
        {
            Kept kept;
            lock (_lock)
            {
                if (!_bySize.TryGetValue(size, out var files) || !files.TryPop(out kept!)) return false;
                if (files.Count == 0) _bySize.Remove(size);
                _bytes -= size;
            }
            try
            {
                File.Move(kept.Path, path);
                mapping = kept.Mapping;
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Drop(kept); // gone or unusable: try the next one
            }
        }
    }

    /// <summary>Deletes every kept file and keeps no more (store shutdown).</summary>
    public void Close()
    {
        Kept[] all;
        lock (_lock)
        {
            _closed = true;
            all = [.. _bySize.Values.SelectMany(files => files)];
            _bySize.Clear();
            _bytes = 0;
        }
        foreach (var kept in all) Drop(kept);
    }

    private static void Drop(Kept kept)
    {
        kept.Mapping?.Dispose();
        TryDelete(kept.Path);
    }

    private readonly record struct Kept(string Path, KeptMapping? Mapping);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The directory goes with the store anyway.
        }
    }
}
