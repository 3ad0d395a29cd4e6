namespace Grid.ObjectStore;

/// <summary>Settings of a node's object store and of the transfers that move objects between nodes.</summary>
public sealed class ObjectStoreOptions
{
    /// <summary>Default transfer chunk: large enough to amortise a grain call, far below Orleans' message size limit.</summary>
    public const int DefaultChunkSize = 4 * 1024 * 1024;

    /// <summary>Share of the machine's memory a store takes when <see cref="CapacityBytes"/> is not set (Ray's default).</summary>
    public const double DefaultCapacityFraction = 0.3;

    /// <summary>
    /// Where object files live. The default is a fresh directory under /dev/shm when it exists (tmpfs: the
    /// "files" are plain shared memory, never written to disk), else under the temp directory; the pid and a
    /// random suffix keep several stores on one machine (several silos, tests) apart.
    /// </summary>
    public string Directory { get; set; } = DefaultDirectory();

    /// <summary>
    /// Where objects go when memory is full (a disk directory). Null: a fresh directory under the temp directory,
    /// removed when the store closes.
    /// </summary>
    public string? SpillDirectory { get; set; }

    /// <summary>Bytes per transfer request (pull, fetch, push).</summary>
    public int ChunkSize { get; set; } = DefaultChunkSize;

    /// <summary>How many chunk requests one transfer keeps in flight: enough to hide a round trip, few enough not to flood the link.</summary>
    public int MaxChunksInFlight { get; set; } = 4;

    /// <summary>
    /// Bytes of memory the store may hold (the <c>--object-store-memory</c> setting). Null: 30 % of the machine's
    /// memory. Past it, least-recently-used objects nobody is reading spill to <see cref="SpillDirectory"/>, and
    /// come back on access.
    /// </summary>
    public long? CapacityBytes { get; set; }

    /// <summary>
    /// Bytes of deleted objects' files the store keeps to reuse for new objects of the same size (their memory is
    /// already allocated, so a put into one is a plain copy). Null: an eighth of the capacity, at most 2 GiB; 0: off.
    /// </summary>
    public long? RecycledBytes { get; set; }

    /// <summary>Bytes the spill directory may hold. Null: whatever the disk has free.</summary>
    public long? MaxSpillBytes { get; set; }

    /// <summary>
    /// Let a node read another node's object file directly when both run on one machine and the file is visible
    /// (the fast path for silos sharing a host); off, every transfer goes over the network channel.
    /// </summary>
    public bool AllowSameHostReads { get; set; } = true;

    /// <summary>
    /// Let a writer on this machine fill a new object's file itself (Plasma's shared-memory put): a remote client
    /// putting a large value into a node on its own machine copies it straight into the node's store instead of
    /// sending it through messages. Read on both ends: a node with it off hands out no files, a client with it off
    /// asks for none. Off, such puts stream over the network channel.
    /// </summary>
    public bool AllowSameHostWrites { get; set; } = true;

    /// <summary>
    /// Bytes of nodes' object files a same-host writer (a remote client) keeps mapped for its next puts, as a Plasma
    /// client keeps the store mapped: the node reuses a freed object's file for the next object of its size, and a
    /// put through a mapping made earlier is a plain copy, where a fresh mapping costs far more in a VM. A kept
    /// mapping of a file the node has deleted holds its pages until the writer's next put drops it. 0: map afresh.
    /// </summary>
    public long WriterMappingBytes { get; set; } = 2L << 30;

    /// <summary>
    /// How long an object created for another process's writer (a remote client's put) may stay unsealed before the
    /// node drops it: a writer that died mid-write leaves nothing behind. Generous: a slow writer whose object was
    /// dropped fails its put.
    /// </summary>
    public TimeSpan UnsealedWriteTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The TCP channel between nodes (the network path when same-host reads are impossible or off).</summary>
    public NetworkTransferOptions Network { get; } = new();

    /// <summary><see cref="CapacityBytes"/>, or its default: 30 % of the memory this process may use.</summary>
    public long EffectiveCapacityBytes => CapacityBytes ?? (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * DefaultCapacityFraction);

    public static string DefaultDirectory()
    {
        var root = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        return Path.Combine(root, UniqueName("grid-objects"));
    }

    public static string DefaultSpillDirectory() => Path.Combine(Path.GetTempPath(), UniqueName("grid-spill"));

    private static string UniqueName(string prefix) =>
        $"{prefix}-{Environment.ProcessId}-{Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal)}";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("ObjectStoreOptions.Directory must name a directory.");
        if (SpillDirectory is not null && string.IsNullOrWhiteSpace(SpillDirectory)) throw new ArgumentException("ObjectStoreOptions.SpillDirectory must name a directory, or be null for a temporary one.");
        if (ChunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ObjectStoreOptions.ChunkSize must be positive.");
        if (MaxChunksInFlight <= 0) throw new ArgumentOutOfRangeException(nameof(MaxChunksInFlight), MaxChunksInFlight, "ObjectStoreOptions.MaxChunksInFlight must be positive.");
        if (CapacityBytes is < 0) throw new ArgumentOutOfRangeException(nameof(CapacityBytes), CapacityBytes, "ObjectStoreOptions.CapacityBytes (--object-store-memory) must not be negative.");
        if (WriterMappingBytes < 0) throw new ArgumentOutOfRangeException(nameof(WriterMappingBytes), WriterMappingBytes, "ObjectStoreOptions.WriterMappingBytes must not be negative (0 turns kept mappings off).");
        if (UnsealedWriteTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UnsealedWriteTimeout), UnsealedWriteTimeout, "ObjectStoreOptions.UnsealedWriteTimeout must be positive.");
        Network.Validate();
        if (RecycledBytes is < 0) throw new ArgumentOutOfRangeException(nameof(RecycledBytes), RecycledBytes, "ObjectStoreOptions.RecycledBytes must not be negative (0 turns reuse off).");
        if (MaxSpillBytes is < 0) throw new ArgumentOutOfRangeException(nameof(MaxSpillBytes), MaxSpillBytes, "ObjectStoreOptions.MaxSpillBytes must not be negative.");
    }
}
