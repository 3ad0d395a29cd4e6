using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore;

/// <summary>
/// A node's store of immutable objects (Ray's plasma store, first version): each object is its own file in
/// <see cref="Directory"/>, mapped into this process. Objects are created, written in place, sealed, then read
/// zero-copy by any number of readers until deleted. Thread-safe.
/// </summary>
/// <remarks>
/// Lifetime rule: readers hold leases (<see cref="StoredObject"/>, disposable). <see cref="Delete"/> takes the object
/// out of the store and removes its file at once; its memory stays mapped until the last lease is released, so a
/// reader is never cut off mid-read. See <see cref="ObjectMemory"/>.
/// The store owns its directory when it creates it (the default: a fresh one) and removes it on Dispose; an existing
/// directory it was given is left in place, emptied of the store's files.
/// </remarks>
public sealed partial class LocalObjectStore : IDisposable
{
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _objects = new();
    // Guards create reservations, waiters and disposal; reads never take it.
    private readonly Lock _lock = new();
    // Ids reserved by a create still making its file; the signal exists only once someone waits for the outcome.
    private readonly Dictionary<ObjectId, TaskCompletionSource?> _creating = [];
    private readonly Dictionary<ObjectId, Waiter> _waiters = [];
    private readonly ICapacityPolicy _capacity = UnboundedCapacityPolicy.Instance;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly bool _ownsDirectory;
    private long _usedBytes;
    private int _sealedCount;
    private bool _disposed;

    public LocalObjectStore(IOptions<ObjectStoreOptions> options, ILogger<LocalObjectStore> logger)
    {
        var settings = options.Value;
        settings.Validate();
        _logger = logger;
        Directory = Path.GetFullPath(settings.Directory);
        _ownsDirectory = !System.IO.Directory.Exists(Directory);
        System.IO.Directory.CreateDirectory(Directory);

        _meter = new Meter(ObjectStoreMeter.Name);
        _meter.CreateObservableUpDownCounter(ObjectStoreMeter.Objects, () => Count, "{object}", "Sealed objects in the node's store");
        _meter.CreateObservableUpDownCounter(ObjectStoreMeter.BytesUsed, () => UsedBytes, "By", "Bytes of the objects in the node's store, those being written included");
        Log.StoreOpened(_logger, Directory);
    }

    /// <summary>The directory holding one file per object, named by the object id.</summary>
    public string Directory { get; }

    /// <summary>
    /// Bytes of the objects in the store, those still being written included (their memory is taken already).
    /// A deleted object stops counting at once, even while leases keep its memory mapped.
    /// </summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>Sealed objects in the store.</summary>
    public int Count => Volatile.Read(ref _sealedCount);

    /// <summary>A snapshot of the sealed objects.</summary>
    public IEnumerable<(ObjectId Id, long Size)> List() =>
        _objects.Values.Where(e => e.IsSealed).Select(e => (e.Id, e.Size)).ToArray();

    /// <summary>
    /// Deletes every object and the directory (when the store created it). Leases still held stay readable until
    /// released; waiters fail with <see cref="ObjectDisposedException"/>.
    /// </summary>
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
        foreach (var waiter in waiters)
            waiter.Signal.TrySetException(new ObjectDisposedException(nameof(LocalObjectStore), "The object store was disposed."));
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.DirectoryNotRemoved(_logger, e, Directory);
            }
        }
        _meter.Dispose();
        Log.StoreClosed(_logger, Directory, count, bytes);
    }

    /// <summary>This store's own meter instance (tests listen to it alone).</summary>
    internal Meter Meter => _meter;

    internal string PathOf(ObjectId id) => Path.Combine(Directory, id.ToString());

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
