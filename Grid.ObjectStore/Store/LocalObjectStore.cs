using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore;

/// <summary>
/// A node's store of immutable objects (Ray's plasma store): each object is its own file in <see cref="Directory"/>,
/// mapped into this process. Objects are created, written in place, sealed, then read zero-copy by any number of
/// readers until deleted. The store holds at most <see cref="CapacityBytes"/> in memory: past it, sealed objects
/// nobody holds a lease on spill to <see cref="SpillDirectory"/> (least recently used first) and come back on
/// access. Thread-safe.
/// </summary>
/// <remarks>
/// Lifetime rule: readers hold leases (<see cref="StoredObject"/>, disposable). <see cref="Delete"/> takes the object
/// out of the store and removes its file at once; its memory stays mapped until the last lease is released, so a
/// reader is never cut off mid-read. See <see cref="ObjectMemory"/>.
/// The store owns its directory when it creates it (the default: a fresh one) and removes it on Dispose; an existing
/// directory it was given is left in place, emptied of the store's files. A store that owns its directory locks a file beside it,
/// and removes the directories of default-named stores beside it whose owners died (see <see cref="StoreOwnership"/>).
/// </remarks>
internal sealed partial class LocalObjectStore : IDisposable
{
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _objects = new();
    // Guards create reservations, waiters and disposal; reads never take it.
    private readonly Lock _lock = new();
    // Ids reserved by a create still making its file; the signal exists only once someone waits for the outcome.
    private readonly Dictionary<ObjectId, TaskCompletionSource?> _creating = [];
    private readonly Dictionary<ObjectId, Waiter> _waiters = [];
    // Serialises capacity decisions (reserve, evict): two creates must not both count the same free bytes.
    private readonly Lock _capacityLock = new();
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _spills;
    private readonly Counter<long> _restores;
    private readonly Counter<long> _restoredBytes;
    private readonly bool _ownsDirectory;
    private readonly bool _ownsSpillDirectory;
    private readonly long? _maxSpillBytes;
    private readonly TimeSpan _unsealedWriteTimeout;
    private readonly RecycledFiles _recycled;
    private readonly StoreOwnership? _ownership; // held while the store runs: lets a later store remove our directory if we die
    private long _usedBytes;
    private long _peakUsedBytes;
    private long _spilledBytes;
    private int _sealedCount;
    private bool _disposed;

    public LocalObjectStore(IOptions<ObjectStoreOptions> options, ILogger<LocalObjectStore> logger)
    {
        var settings = options.Value;
        settings.Validate();
        _logger = logger;
        Directory = Path.GetFullPath(settings.Directory);
        _ownsDirectory = !System.IO.Directory.Exists(Directory);
        CreatePrivateDirectory(Directory);
        SpillDirectory = Path.GetFullPath(settings.SpillDirectory ?? ObjectStoreOptions.DefaultSpillDirectory());
        // Created on the first spill: most stores never spill, and a disk directory per store would litter /tmp.
        _ownsSpillDirectory = !System.IO.Directory.Exists(SpillDirectory);
        CapacityBytes = settings.EffectiveCapacityBytes;
        _recycled = new RecycledFiles(Directory, settings.RecycledBytes ?? Math.Min(CapacityBytes / 8, 2L << 30));
        _maxSpillBytes = settings.MaxSpillBytes;
        _unsealedWriteTimeout = settings.UnsealedWriteTimeout;
        if (_ownsDirectory)
        {
            _ownership = StoreOwnership.Take(Directory, SpillDirectory);
            StoreOwnership.RemoveOrphansBeside(Directory, logger);
        }

        _meter = new Meter(ObjectStoreMeter.Name);
        _meter.CreateObservableUpDownCounter(ObjectStoreMeter.Objects, () => new Measurement<int>(Count, MetricTags), "{object}", "Sealed objects in the node's store");
        _meter.CreateObservableUpDownCounter(ObjectStoreMeter.BytesUsed, () => new Measurement<long>(UsedBytes, MetricTags), "By", "Bytes of the objects in the node's store, those being written included");
        _meter.CreateObservableUpDownCounter(ObjectStoreMeter.BytesSpilled, () => new Measurement<long>(SpilledBytes, MetricTags), "By", "Bytes of the node's objects held in its spill directory");
        _meter.CreateObservableUpDownCounter(ObjectStoreMeter.Capacity, () => new Measurement<long>(CapacityBytes, MetricTags), "By", "Bytes of memory the node's store may hold");
        _spills = _meter.CreateCounter<long>(ObjectStoreMeter.Spills, "{object}", "Objects moved from memory to the spill directory");
        _restores = _meter.CreateCounter<long>(ObjectStoreMeter.Restores, "{object}", "Spilled objects read back into memory");
        _restoredBytes = _meter.CreateCounter<long>(ObjectStoreMeter.RestoredBytes, "By", "Bytes of spilled objects read back into memory");
        Log.StoreOpened(_logger, Directory, CapacityBytes, SpillDirectory);
    }

    /// <summary>
    /// Tags on every measurement of this store's meter: a silo sets <c>node</c> = its node id as it starts (several
    /// stores in one process then report apart); empty elsewhere.
    /// </summary>
    internal KeyValuePair<string, object?>[] MetricTags { get; set; } = [];

    /// <summary>The directory holding one file per object, named by the object id.</summary>
    public string Directory { get; }

    /// <summary>Where objects spill when memory is full: one file per object, named by its id.</summary>
    public string SpillDirectory { get; }

    /// <summary>Bytes of memory the store may hold (<see cref="ObjectStoreOptions.CapacityBytes"/>).</summary>
    public long CapacityBytes { get; }

    /// <summary>
    /// Bytes of the objects in the store's memory, those still being written included (their memory is taken
    /// already). A deleted or spilled object stops counting at once, even while leases keep its memory mapped.
    /// </summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>The most <see cref="UsedBytes"/> has been since the store started or <see cref="ResetPeak"/> (a high-water mark).</summary>
    public long PeakUsedBytes => Interlocked.Read(ref _peakUsedBytes);

    /// <summary>Starts a new high-water mark at the bytes used now (to measure one run's peak).</summary>
    public void ResetPeak()
    {
        lock (_capacityLock) Interlocked.Exchange(ref _peakUsedBytes, UsedBytes);
    }

    /// <summary>Bytes of the objects whose bytes are in the spill directory.</summary>
    public long SpilledBytes => Interlocked.Read(ref _spilledBytes);

    /// <summary>Sealed objects in the store.</summary>
    public int Count => Volatile.Read(ref _sealedCount);

    /// <summary>A snapshot of the sealed objects.</summary>
    public IEnumerable<(ObjectId Id, long Size)> List() =>
        _objects.Values.Where(e => e.IsSealed).Select(e => (e.Id, e.Size)).ToArray();

    /// <summary>A snapshot of the sealed objects with where they are and who reads them (the memory summary).</summary>
    public IReadOnlyList<StoredObjectInfo> Describe() =>
        [.. _objects.Values.Where(e => e.IsSealed).Select(e => new StoredObjectInfo(
            e.Id, e.Size, e.OnDisk, Math.Max(0, (e.Memory?.LeaseCount ?? 1) - 1), e.Owner))];

    /// <summary>Records who owns <paramref name="id"/> (shown by <see cref="Describe"/>); false when it is not here.</summary>
    public bool SetOwner(ObjectId id, string owner)
    {
        if (!_objects.TryGetValue(id, out var entry)) return false;
        entry.Owner = owner;
        return true;
    }

    /// <summary>
    /// Deletes every object and the directory (when the store created it). Leases still held stay readable until
    /// released; waiters fail with <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <summary>
    /// Creates a store or spill directory readable by this user only (0700): its files hold users' objects, and the
    /// processes that read them in place (same-host reads and writes) run as the same user.
    /// </summary>
    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(path);
        else System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        Waiter[] waiters;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            waiters = [.. _waiters.Values];
            _waiters.Clear();
        }
        var count = Count;
        var bytes = UsedBytes;
        foreach (var entry in _objects.Values) Remove(entry, aborted: false);
        _recycled.Close();
        foreach (var waiter in waiters)
            waiter.Signal.TrySetException(new ObjectDisposedException(nameof(LocalObjectStore), "The object store was disposed."));
        if (_ownsDirectory) DeleteDirectory(Directory);
        _ownership?.Dispose();
        if (_ownsSpillDirectory && System.IO.Directory.Exists(SpillDirectory)) DeleteDirectory(SpillDirectory);
        _meter.Dispose();
        Log.StoreClosed(_logger, Directory, count, bytes);
    }

    /// <summary>This store's own meter instance (tests listen to it alone).</summary>
    internal Meter Meter => _meter;

    internal string PathOf(ObjectId id) => Path.Combine(Directory, id.ToString());

    internal string SpillPathOf(ObjectId id) => Path.Combine(SpillDirectory, id.ToString());

    private void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.DirectoryNotRemoved(_logger, e, directory);
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(LocalObjectStore));
    }

    /// <summary>Callers of WaitAsync for one id share a signal; the count lets the last one to give up remove it.</summary>
    private sealed class Waiter
    {
        public readonly TaskCompletionSource Signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Count;
    }
}
