namespace Grid.ObjectStore;

/// <summary>
/// Capacity and spilling. Memory is reserved before an object is mapped; when the store is full, sealed objects
/// nobody holds a lease on move to the spill directory, least recently used first, until the new object fits. An
/// object that still does not fit (everything else is being read, or it is larger than the capacity) is created in
/// the spill directory and mapped from there: disk-backed memory, cached by the kernel. Only when the spill
/// directory cannot take it either does a create fail, with <see cref="ObjectStoreFullException"/>.
/// </summary>
internal sealed partial class LocalObjectStore
{
    /// <summary>Reserves room for a new object and maps it: in memory when it fits (after spilling), else on disk.</summary>
    private (ObjectMemory Memory, bool OnDisk) Allocate(ObjectId id, long size)
    {
        if (TryReserveMemory(size, exclude: null))
        {
            try
            {
                return (CreateInMemory(id, (int)size), false);
            }
            catch (IOException)
            {
                // The memory file system is fuller than the capacity says (other processes share /dev/shm): disk then.
                Unaccount(size, onDisk: false);
            }
        }
        ReserveDisk(id, size);
        try
        {
            CreatePrivateDirectory(SpillDirectory);
            return (ObjectMemory.Create(SpillPathOf(id), (int)size), true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unaccount(size, onDisk: true);
            throw Full(id, size, $"creating its file in the spill directory failed ({e.Message})");
        }
    }

    /// <summary>
    /// Counts <paramref name="size"/> bytes as used in memory if they fit, spilling idle objects (never
    /// <paramref name="exclude"/>) to make room. False when they cannot fit.
    /// </summary>
    private bool TryReserveMemory(long size, ObjectEntry? exclude)
    {
        lock (_capacityLock)
        {
            if (size > CapacityBytes) return false;
            var missing = UsedBytes + size - CapacityBytes;
            if (missing > 0) missing -= SpillIdle(missing, exclude);
            if (missing > 0) return false;
            var used = Interlocked.Add(ref _usedBytes, size);
            if (used > Interlocked.Read(ref _peakUsedBytes)) Interlocked.Exchange(ref _peakUsedBytes, used); // under _capacityLock: no lost raise
            return true;
        }
    }

    /// <summary>Counts <paramref name="size"/> bytes as held on disk, or throws when the spill directory cannot take them.</summary>
    private void ReserveDisk(ObjectId id, long size)
    {
        lock (_capacityLock)
        {
            if (DiskShortage(size) is { } shortage) throw Full(id, size, shortage);
            Interlocked.Add(ref _spilledBytes, size);
        }
    }

    private bool CanSpill(long size) => DiskShortage(size) is null;

    /// <summary>Why the spill directory cannot take <paramref name="size"/> more bytes; null when it can.</summary>
    private string? DiskShortage(long size)
    {
        if (_maxSpillBytes is { } max && SpilledBytes + size > max)
            return $"the spill directory holds {SpilledBytes} bytes of its limit of {max} (ObjectStoreOptions.MaxSpillBytes)";
        var free = FreeDiskBytes();
        return size > free ? $"the disk of the spill directory {SpillDirectory} has {free} bytes free" : null;
    }

    private long FreeDiskBytes()
    {
        var existing = SpillDirectory;
        while (!System.IO.Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        try
        {
            return new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return long.MaxValue; // unknown: let the create itself find out
        }
    }

    private ObjectStoreFullException Full(ObjectId id, long size, string disk) => new(
        $"Object {id} ({size} bytes) fits neither in this node's object store memory ({UsedBytes} of {CapacityBytes} bytes " +
        $"used by objects that are being read or cannot spill) nor on disk: {disk}. Raise the store's memory " +
        "(ObjectStoreOptions.CapacityBytes, --object-store-memory), point ObjectStoreOptions.SpillDirectory at a disk " +
        "with more room, raise ObjectStoreOptions.MaxSpillBytes, or release refs to objects you no longer need.");

    /// <summary>Spills idle objects, least recently used first, until <paramref name="wanted"/> bytes are freed; returns the bytes freed.</summary>
    private long SpillIdle(long wanted, ObjectEntry? exclude)
    {
        var candidates = _objects.Values
            .Where(e => e != exclude && e.IsSealed && !e.OnDisk && e.Memory is { LeaseCount: 1 })
            .OrderBy(e => e.LastUsed)
            .ToList();
        long freed = 0;
        foreach (var entry in candidates)
        {
            if (freed >= wanted) break;
            if (CanSpill(entry.Size) && TrySpill(entry)) freed += entry.Size;
        }
        return freed;
    }

    /// <summary>Moves one idle object's bytes to its spill file and unmaps it. False when it is busy or being read.</summary>
    private bool TrySpill(ObjectEntry entry)
    {
        // A busy gate means someone reads, restores or removes it right now: not idle, skip it (and never wait on
        // an entry's gate while holding the capacity lock, which a restore holding that gate may be waiting for).
        if (!entry.Gate.TryEnter()) return false;
        try
        {
            if (entry.IsRemoved || entry.OnDisk || !entry.IsSealed || entry.Memory is not { } memory || !memory.TryClaimIdle()) return false;
            var path = SpillPathOf(entry.Id);
            try
            {
                CreatePrivateDirectory(SpillDirectory);
                using var file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0, PreallocationSize = entry.Size,
                });
                file.Write(memory.GetSpan());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.SpillFailed(_logger, e, entry.Id, path);
                TryDelete(path);
                memory.Unclaim();
                return false;
            }
            entry.SpillPath = path;
            entry.OnDisk = true;
            entry.Memory = null;
            Interlocked.Add(ref _spilledBytes, entry.Size);
            Interlocked.Add(ref _usedBytes, -entry.Size);
            memory.Unlink();
            memory.UnmapClaimed();
            _spills.Add(1, MetricTags);
            Log.Spilled(_logger, entry.Id, entry.Size);
            return true;
        }
        finally
        {
            entry.Gate.Exit();
        }
    }

    /// <summary>
    /// Brings a spilled object back (the caller holds its gate): into memory when there is room (spilling others
    /// if need be), else mapped from its spill file. Returns the memory, holding the index's reference.
    /// </summary>
    private ObjectMemory Restore(ObjectEntry entry)
    {
        var spillPath = entry.SpillPath ?? throw new InvalidOperationException($"Object {entry.Id} is neither mapped nor spilled; this is a Grid bug.");
        ObjectMemory memory;
        var inMemory = false;
        try
        {
            if (TryReserveMemory(entry.Size, exclude: entry))
            {
                try
                {
                    memory = ObjectMemory.Create(PathOf(entry.Id), (int)entry.Size);
                    inMemory = true;
                }
                catch (IOException)
                {
                    Unaccount(entry.Size, onDisk: false);
                    memory = ObjectMemory.Open(spillPath, (int)entry.Size);
                }
            }
            else
            {
                memory = ObjectMemory.Open(spillPath, (int)entry.Size);
            }
            if (inMemory)
            {
                try
                {
                    ReadFile(spillPath, memory.GetSpan());
                }
                catch
                {
                    memory.Unlink();
                    memory.Release();
                    Unaccount(entry.Size, onDisk: false);
                    throw;
                }
                TryDelete(spillPath);
                Interlocked.Add(ref _spilledBytes, -entry.Size);
                entry.OnDisk = false;
                entry.SpillPath = null;
                _restores.Add(1, MetricTags);
                _restoredBytes.Add(entry.Size, MetricTags);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectLostException($"Object {entry.Id} was spilled to {spillPath} and cannot be read back: {e.Message}");
        }
        entry.Memory = memory;
        Log.Restored(_logger, entry.Id, entry.Size, inMemory);
        return memory;
    }

    private static void ReadFile(string path, Span<byte> destination)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        long offset = 0;
        while (offset < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[(int)offset..], offset);
            if (read == 0) throw new IOException($"The spill file {path} is shorter than its object ({destination.Length} bytes).");
            offset += read;
        }
    }

    private void Unaccount(long size, bool onDisk) => Interlocked.Add(ref onDisk ? ref _spilledBytes : ref _usedBytes, -size);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover spill file goes with the directory when the store closes.
        }
    }
}
