using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;

namespace Grid.ObjectStore;

/// <summary>Receives one verified chunk of an object (called concurrently for disjoint ranges).</summary>
internal delegate void ChunkSink(long offset, ReadOnlySpan<byte> bytes);

/// <summary>
/// The puller's end of the transfer channel: opens a few connections to the source node's
/// <see cref="ObjectTransferServer"/>, and has each fetch chunks from a shared queue, verify them (length and
/// XxHash3) and hand them to a sink. A source that cannot be reached at all means "use grain calls instead"; one
/// that fails once bytes flow (closed connection, silence past the chunk timeout, a bad checksum) fails the
/// transfer with <see cref="ObjectTransferException"/> naming the node.
/// </summary>
internal sealed class ObjectTransferClient(IGrainFactory grains, NetworkTransferOptions options)
{
    private readonly ConcurrentDictionary<NodeId, Task<TransferEndpoint?>> _endpoints = new();

    public bool Enabled => options.Enabled;

    /// <summary>
    /// Reads the whole object from <paramref name="source"/> into <paramref name="sink"/>. Returns a reason when the
    /// channel cannot be used (no endpoint, nothing accepts the connection): the caller falls back. Null: done.
    /// </summary>
    public Task<string?> TryReadAsync(NodeId source, ObjectId id, long size, ChunkSink sink, Action<int> progress, CancellationToken ct) =>
        TryWithEndpointAsync(source, (endpoint, token) => TryReadAsync(endpoint, token, source, id, size, sink, progress, ct));

    /// <summary>
    /// Writes <paramref name="data"/> at offset <paramref name="at"/> of object <paramref name="id"/>, already created
    /// (unsealed) on <paramref name="target"/>: how a process without a store pushes. A reason: use grain calls instead.
    /// </summary>
    public Task<string?> TryWriteAsync(NodeId target, ObjectId id, long at, ReadOnlyMemory<byte> data, Action<int> progress, CancellationToken ct) =>
        TryWithEndpointAsync(target, (endpoint, token) => RunChunksAsync(endpoint, target, id, data.Length, async (socket, offset, length, _, chunkCt) =>
        {
            await WriteChunkAsync(socket, token, target, id, at + offset, data.Slice((int)offset, length), chunkCt).ConfigureAwait(false);
            progress(length);
        }, ct));

    private async Task<string?> TryWithEndpointAsync(NodeId node, Func<IPEndPoint, byte[], Task<string?>> run)
    {
        if (!options.Enabled) return "the channel is turned off here";
        TransferEndpoint? endpoint;
        try
        {
            endpoint = await _endpoints.GetOrAdd(node, n => grains.GetGrain<IObjectTransferGrain>(n.Value).GetEndpoint()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _endpoints.TryRemove(node, out _);
            return $"asking for its endpoint failed: {e.Message}";
        }
        if (endpoint is null)
        {
            _endpoints.TryRemove(node, out _);
            return "it has no transfer channel";
        }
        if (!TryAddressOf(node, out var address)) return $"'{node}' does not name an address";
        var reason = await run(new IPEndPoint(address, endpoint.Port), endpoint.Token).ConfigureAwait(false);
        if (reason is not null) _endpoints.TryRemove(node, out _); // it may have restarted on another port: ask again next time
        return reason;
    }

    /// <summary>As above, against a known endpoint (tests point it at stand-in servers).</summary>
    internal Task<string?> TryReadAsync(IPEndPoint endpoint, byte[] token, NodeId source, ObjectId id, long size, ChunkSink sink, Action<int> progress, CancellationToken ct) =>
        RunChunksAsync(endpoint, source, id, size, async (socket, offset, length, buffer, chunkCt) =>
        {
            await ReadChunkAsync(socket, token, source, id, offset, buffer.AsMemory(0, length), chunkCt).ConfigureAwait(false);
            sink(offset, buffer.AsSpan(0, length));
            progress(length);
        }, ct);

    /// <summary>
    /// Opens the connections and has each run <paramref name="step"/> on chunks from a shared queue. A reason when no
    /// connection could be opened; an exception (typed, naming the node) when a step failed.
    /// </summary>
    private async Task<string?> RunChunksAsync(IPEndPoint endpoint, NodeId node, ObjectId id, long size, Func<Stream, long, int, byte[], CancellationToken, Task> step, CancellationToken ct)
    {
        var chunkSize = options.ChunkSize;
        var chunks = (size + chunkSize - 1) / chunkSize;
        var connections = (int)Math.Min(options.Connections, Math.Max(1, chunks));
        var (sockets, refusal) = await ConnectAsync(endpoint, connections, ct).ConfigureAwait(false);
        if (sockets.Length == 0) return refusal ?? $"nothing accepted a connection at {endpoint}";
        using var transfer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var next = -1L;
        var workers = sockets.Select(socket => Task.Run(async () =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
            try
            {
                long index;
                while ((index = Interlocked.Increment(ref next)) < chunks)
                {
                    var offset = index * chunkSize;
                    await step(socket, offset, (int)Math.Min(chunkSize, size - offset), buffer, transfer.Token).ConfigureAwait(false);
                }
            }
            catch
            {
                transfer.Cancel(); // the others stop too; the first real failure is reported below
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                await socket.DisposeAsync().ConfigureAwait(false);
            }
        }, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch
        {
            ct.ThrowIfCancellationRequested();
            var failure = workers.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException) ?? workers.First(w => w.IsFaulted || w.IsCanceled).Exception?.InnerException;
            if (failure is GridException) throw failure;
            throw new ObjectTransferException($"Moving object {id} to or from node {node} failed: {failure?.Message}", node.Value, id.ToString(), failure);
        }
        return null;
    }

    private async Task WriteChunkAsync(Stream socket, byte[] token, NodeId target, ObjectId id, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.ChunkTimeout);
        var small = new byte[TransferProtocol.RequestSize];
        try
        {
            TransferProtocol.WriteRequest(small, token, id, offset, chunk.Length, TransferProtocol.Operation.Write);
            await TransferProtocol.SendAllAsync(socket, small, deadline.Token).ConfigureAwait(false);
            await TransferProtocol.SendAllAsync(socket, chunk, deadline.Token).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt64LittleEndian(small, XxHash3.HashToUInt64(chunk.Span));
            await TransferProtocol.SendAllAsync(socket, small.AsMemory(0, TransferProtocol.TrailerSize), deadline.Token).ConfigureAwait(false);
            if (!await TransferProtocol.ReceiveExactlyAsync(socket, small.AsMemory(0, TransferProtocol.ResponseHeaderSize), deadline.Token).ConfigureAwait(false))
                throw new ObjectTransferException($"Node {target} closed the connection while receiving object {id} (offset {offset}); the node stopped or crashed.", target.Value, id.ToString());
            var (status, _) = TransferProtocol.ReadResponseHeader(small);
            if (status != TransferProtocol.Status.Ok)
                throw new ObjectTransferException($"Node {target} refused {chunk.Length} bytes of object {id} at offset {offset} ({status}); the object is no longer being created there.", target.Value, id.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ObjectTransferException($"Node {target} did not take object {id} (offset {offset}) within {options.ChunkTimeout.TotalSeconds:0.#} s; it is overloaded, partitioned or dead.", target.Value, id.ToString());
        }
        catch (IOException e)
        {
            throw new ObjectTransferException($"The connection to node {target} failed while pushing object {id} ({SocketError(e)}); the node stopped or crashed.", target.Value, id.ToString(), e);
        }
    }

    private async Task ReadChunkAsync(Stream socket, byte[] token, NodeId source, ObjectId id, long offset, Memory<byte> chunk, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.ChunkTimeout);
        var small = new byte[TransferProtocol.RequestSize];
        try
        {
            TransferProtocol.WriteRequest(small, token, id, offset, chunk.Length);
            await TransferProtocol.SendAllAsync(socket, small, deadline.Token).ConfigureAwait(false);
            if (!await TransferProtocol.ReceiveExactlyAsync(socket, small.AsMemory(0, TransferProtocol.ResponseHeaderSize), deadline.Token).ConfigureAwait(false))
                throw Closed(source, id, offset);
            var (status, length) = TransferProtocol.ReadResponseHeader(small);
            switch (status)
            {
                case TransferProtocol.Status.Ok when length == chunk.Length:
                    break;
                case TransferProtocol.Status.Ok:
                    throw new ObjectTransferException($"Object {id}: asked node {source} for {chunk.Length} bytes at offset {offset}, it announced {length}.", source.Value, id.ToString());
                case TransferProtocol.Status.NotHeld:
                    throw new ObjectLostException($"Node {source} does not hold object {id} (it was deleted there, or never stored).");
                default:
                    throw new ObjectTransferException($"Node {source} refused to send object {id} ({status}); it may have restarted: get the object again.", source.Value, id.ToString());
            }
            if (!await TransferProtocol.ReceiveExactlyAsync(socket, chunk, deadline.Token).ConfigureAwait(false)
                || !await TransferProtocol.ReceiveExactlyAsync(socket, small.AsMemory(0, TransferProtocol.TrailerSize), deadline.Token).ConfigureAwait(false))
                throw Closed(source, id, offset);
            if (BinaryPrimitives.ReadUInt64LittleEndian(small) != XxHash3.HashToUInt64(chunk.Span))
                throw new ObjectTransferException($"Object {id}: the {chunk.Length} bytes at offset {offset} from node {source} failed their checksum; get the object again.", source.Value, id.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ObjectTransferException($"Node {source} sent nothing for object {id} (offset {offset}) within {options.ChunkTimeout.TotalSeconds:0.#} s; it is overloaded, partitioned or dead.", source.Value, id.ToString());
        }
        catch (IOException e)
        {
            throw new ObjectTransferException($"The connection to node {source} failed while pulling object {id} ({SocketError(e)}); the node stopped or crashed.", source.Value, id.ToString(), e);
        }
    }

    private static ObjectTransferException Closed(NodeId source, ObjectId id, long offset) =>
        new($"Node {source} closed the connection while sending object {id} (offset {offset}); the node stopped or crashed.", source.Value, id.ToString());

    /// <summary>
    /// Opens up to <paramref name="count"/> connections, each TLS-authenticated against the cluster's authority when
    /// the channel has credentials; those that fail (or time out) are left out. The reason is a refused handshake's.
    /// </summary>
    private async Task<(Stream[] Connections, string? Refusal)> ConnectAsync(IPEndPoint endpoint, int count, CancellationToken ct)
    {
        string? refusal = null;
        var attempts = Enumerable.Range(0, count).Select(async _ =>
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(options.ConnectTimeout);
            Stream? connection = null;
            try
            {
                await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
                connection = new NetworkStream(socket, ownsSocket: true);
                if (options.Credentials is not { } credentials) return connection;
                var tls = new SslStream(connection, leaveInnerStreamOpen: false);
                connection = tls;
                await tls.AuthenticateAsClientAsync(credentials.ClientOptions(), deadline.Token).ConfigureAwait(false);
                return connection;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or AuthenticationException)
            {
                if (e is AuthenticationException) refusal = $"the TLS handshake with {endpoint} failed: {e.Message}";
                if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
                socket.Dispose();
                ct.ThrowIfCancellationRequested();
                return null;
            }
        }).ToArray();
        var connections = await Task.WhenAll(attempts).ConfigureAwait(false);
        return ([.. connections.OfType<Stream>()], refusal);
    }

    private static string SocketError(IOException e) => e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.Message;

    /// <summary>A node id is its silo's parsable address ("ip:port@generation"): the channel listens on the same machine.</summary>
    private static bool TryAddressOf(NodeId node, out IPAddress address)
    {
        address = IPAddress.None;
        try
        {
            address = SiloAddress.FromParsableString(node.Value).Endpoint.Address;
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
