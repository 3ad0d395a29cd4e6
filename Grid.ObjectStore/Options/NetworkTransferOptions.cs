namespace Grid.ObjectStore;

/// <summary>
/// Settings of the node-to-node transfer channel: a TCP endpoint per node (TLS when the cluster has credentials) that streams object bytes
/// (Orleans messages top out far below network and memory bandwidth for bulk data). Used whenever the source
/// node's files cannot be read directly (another machine, or <see cref="ObjectStoreOptions.AllowSameHostReads"/>
/// off); when it cannot be reached, transfers fall back to chunked grain calls.
/// </summary>
public sealed class NetworkTransferOptions
{
    /// <summary>Serve and use the TCP channel. Off: every network transfer goes through grain calls.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Port the node listens on; 0 picks a free one (the node advertises it through its transfer grain).</summary>
    public int Port { get; set; }

    /// <summary>Address to listen on. Null: every interface (IPv6 dual-mode where available).</summary>
    public string? ListenAddress { get; set; }

    /// <summary>Bytes per request, checksummed and written into the destination file. 2 MiB keeps each chunk in cache from the socket through the checksum to the write: a quarter less CPU per GiB than 8 MiB.</summary>
    public int ChunkSize { get; set; } = 2 * 1024 * 1024;

    /// <summary>Connections one transfer opens to its source: enough to keep both ends' cores busy.</summary>
    public int Connections { get; set; } = 4;

    /// <summary>How long connecting to a source may take before the transfer falls back to grain calls.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The cluster's TLS credentials. Set (by <c>grid start</c> nodes and the clients of their clusters): every
    /// connection is TLS with both ends presenting the cluster's member certificate, and a peer without one is
    /// dropped at the handshake. Null (embedded mode, in-process clusters, <c>--insecure</c>): plain TCP guarded by the token.
    /// </summary>
    public Security.ClusterCredentials? Credentials { get; set; }

    /// <summary>How long one chunk may take before the transfer fails with <see cref="ObjectTransferException"/>.</summary>
    public TimeSpan ChunkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "NetworkTransferOptions.Port must be 0 (any free port) or a TCP port.");
        if (ChunkSize is <= 0 or > TransferProtocol.MaxChunk) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, $"NetworkTransferOptions.ChunkSize must be between 1 and {TransferProtocol.MaxChunk} bytes.");
        if (Connections <= 0) throw new ArgumentOutOfRangeException(nameof(Connections), Connections, "NetworkTransferOptions.Connections must be positive.");
        if (ConnectTimeout <= TimeSpan.Zero || ChunkTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ChunkTimeout), "NetworkTransferOptions timeouts must be positive.");
    }
}
