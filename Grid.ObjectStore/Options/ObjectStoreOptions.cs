namespace Grid.ObjectStore;

/// <summary>Settings of a node's object store and of the transfers that move objects between nodes.</summary>
public sealed class ObjectStoreOptions
{
    /// <summary>Default transfer chunk: large enough to amortise a grain call, far below Orleans' message size limit.</summary>
    public const int DefaultChunkSize = 4 * 1024 * 1024;

    /// <summary>
    /// Where object files live. The default is a fresh directory under /dev/shm when it exists (tmpfs: the
    /// "files" are plain shared memory, never written to disk), else under the temp directory; the pid and a
    /// random suffix keep several stores on one machine (several silos, tests) apart.
    /// </summary>
    public string Directory { get; set; } = DefaultDirectory();

    /// <summary>Bytes per transfer request (pull, fetch, push).</summary>
    public int ChunkSize { get; set; } = DefaultChunkSize;

    /// <summary>How many chunk requests one transfer keeps in flight: enough to hide a round trip, few enough not to flood the link.</summary>
    public int MaxChunksInFlight { get; set; } = 4;

    /// <summary>
    /// Bytes the store may hold. Unused for now: capacity and spilling come later (see <see cref="ICapacityPolicy"/>
    /// for where they plug in).
    /// </summary>
    public long? CapacityBytes { get; set; }

    public static string DefaultDirectory()
    {
        var root = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        return Path.Combine(root, $"grid-objects-{Environment.ProcessId}-{Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal)}");
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("ObjectStoreOptions.Directory must name a directory.");
        if (ChunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ObjectStoreOptions.ChunkSize must be positive.");
        if (MaxChunksInFlight <= 0) throw new ArgumentOutOfRangeException(nameof(MaxChunksInFlight), MaxChunksInFlight, "ObjectStoreOptions.MaxChunksInFlight must be positive.");
    }
}
