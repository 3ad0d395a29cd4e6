using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Grid.ObjectStore;

/// <summary>
/// A node's end of the transfer channel: a TCP listener that serves ranges of this node's sealed objects (see
/// <see cref="TransferProtocol"/>). Bytes are read from the object's file with pread into a per-connection buffer
/// (a kernel copy: no page faults on the object's mapping, which in a VM cost more than the copy), checksummed and
/// sent. It listens from the first time the node's endpoint is asked for, and stops with the silo.
/// </summary>
internal sealed class ObjectTransferServer : IHostedService, IDisposable
{
    private readonly LocalObjectStore _store;
    private readonly NetworkTransferOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _token = RandomNumberGenerator.GetBytes(TransferProtocol.TokenSize);
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Socket? _listener;
    private bool _stopped;

    public ObjectTransferServer(LocalObjectStore store, IOptions<ObjectStoreOptions> options, ILogger<ObjectTransferServer> logger)
    {
        _store = store;
        _options = options.Value.Network;
        _logger = logger;
    }

    /// <summary>The port and token to hand to pullers; null when the channel is off or could not listen.</summary>
    public TransferEndpoint? Endpoint
    {
        get
        {
            if (!_options.Enabled) return null;
            lock (_lock)
            {
                if (_stopped) return null;
                if (_listener is null && !TryListen()) return null;
                return new TransferEndpoint(HostIdentity.Current, ((IPEndPoint)_listener!.LocalEndPoint!).Port, _token);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and closes every connection: pulls in progress fail fast instead of waiting.</summary>
    public void Dispose()
    {
        Socket? listener;
        lock (_lock)
        {
            if (_stopped) return;
            _stopped = true;
            listener = _listener;
        }
        _stopping.Cancel();
        listener?.Dispose();
        foreach (var socket in _connections.Keys) socket.Dispose();
    }

    private bool TryListen()
    {
        try
        {
            var address = _options.ListenAddress is { } text ? IPAddress.Parse(text) : Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (address.Equals(IPAddress.IPv6Any)) listener.DualMode = true;
            listener.Bind(new IPEndPoint(address, _options.Port));
            listener.Listen(128);
            _listener = listener;
            _ = AcceptLoopAsync(listener);
            Log.TransferListening(_logger, ((IPEndPoint)listener.LocalEndPoint!).Port);
            return true;
        }
        catch (Exception e) when (e is SocketException or FormatException)
        {
            Log.TransferListenFailed(_logger, e, _options.Port);
            return false;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            socket.NoDelay = true;
            _connections.TryAdd(socket, 0);
            if (_stopping.IsCancellationRequested) socket.Dispose();
            _ = ServeAsync(socket);
        }
    }

    /// <summary>
    /// Answers requests on one connection until the peer closes it; never throws. With credentials the connection
    /// first completes a TLS handshake in which the peer proves it is a cluster member, within the connect timeout.
    /// </summary>
    private async Task ServeAsync(Socket socket)
    {
        var request = new byte[TransferProtocol.RequestSize];
        var header = new byte[TransferProtocol.ResponseHeaderSize + TransferProtocol.TrailerSize];
        byte[]? buffer = null;
        var file = new OpenFile();
        var ct = _stopping.Token;
        Stream connection = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (_options.Credentials is { } credentials)
            {
                var tls = new SslStream(connection, leaveInnerStreamOpen: false);
                connection = tls;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                handshake.CancelAfter(_options.ConnectTimeout);
                try
                {
                    await tls.AuthenticateAsServerAsync(credentials.ServerOptions(), handshake.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    Log.TransferRefused(_logger, socket.RemoteEndPoint?.ToString() ?? "?", e.Message);
                    return;
                }
            }
            while (await TransferProtocol.ReceiveExactlyAsync(connection, request, ct).ConfigureAwait(false))
            {
                if (!TransferProtocol.TryReadRequest(request, out var operation, out var id, out var offset, out var length))
                {
                    await RefuseAsync(connection, header, TransferProtocol.Status.BadRequest, ct).ConfigureAwait(false);
                    return; // not our protocol: do not read further
                }
                if (!CryptographicOperations.FixedTimeEquals(TransferProtocol.TokenOf(request), _token))
                {
                    await RefuseAsync(connection, header, TransferProtocol.Status.Unauthorized, ct).ConfigureAwait(false);
                    return;
                }
                if (operation == TransferProtocol.Operation.Write)
                {
                    if (length is < 0 or > TransferProtocol.MaxChunk)
                    {
                        await RefuseAsync(connection, header, TransferProtocol.Status.BadRequest, ct).ConfigureAwait(false);
                        return; // the bytes that follow cannot be skipped safely
                    }
                    if (buffer is null || buffer.Length < length)
                    {
                        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent((int)length);
                    }
                    if (!await TransferProtocol.ReceiveExactlyAsync(connection, buffer.AsMemory(0, (int)length), ct).ConfigureAwait(false)
                        || !await TransferProtocol.ReceiveExactlyAsync(connection, header.AsMemory(TransferProtocol.ResponseHeaderSize), ct).ConfigureAwait(false))
                        return;
                    await RefuseAsync(connection, header, Receive(id, offset, buffer.AsSpan(0, (int)length), header.AsSpan(TransferProtocol.ResponseHeaderSize)), ct).ConfigureAwait(false);
                    continue;
                }
                if (!_store.TryGet(id, out var lease))
                {
                    await RefuseAsync(connection, header, TransferProtocol.Status.NotHeld, ct).ConfigureAwait(false);
                    continue;
                }
                using (lease)
                {
                    if (offset < 0 || length < 0 || length > TransferProtocol.MaxChunk || offset > lease.Size - length)
                    {
                        await RefuseAsync(connection, header, TransferProtocol.Status.BadRequest, ct).ConfigureAwait(false);
                        continue;
                    }
                    var count = (int)length;
                    if (buffer is null || buffer.Length < count)
                    {
                        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(count);
                    }
                    var chunk = buffer.AsMemory(0, count);
                    Fill(lease, file, offset, chunk.Span);
                    TransferProtocol.WriteResponseHeader(header, TransferProtocol.Status.Ok, count);
                    await TransferProtocol.SendAllAsync(connection, header.AsMemory(0, TransferProtocol.ResponseHeaderSize), ct).ConfigureAwait(false);
                    await TransferProtocol.SendAllAsync(connection, chunk, ct).ConfigureAwait(false);
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(TransferProtocol.ResponseHeaderSize), XxHash3.HashToUInt64(chunk.Span));
                    await TransferProtocol.SendAllAsync(connection, header.AsMemory(TransferProtocol.ResponseHeaderSize), ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer went away or the node is stopping: the puller sees the closed connection.
        }
        catch (Exception e)
        {
            Log.TransferServeFailed(_logger, e);
        }
        finally
        {
            file.Dispose();
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            _connections.TryRemove(socket, out _);
            await connection.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
        }
    }

    /// <summary>
    /// Copies the range out of the object: pread from its file when it can be opened, else from its mapping. The
    /// lease keeps the object from spilling or being unmapped meanwhile; its file never changes once sealed.
    /// </summary>
    private static void Fill(StoredObject lease, OpenFile file, long offset, Span<byte> destination)
    {
        var handle = file.Get(lease.Lease.FilePath);
        if (handle is not null)
        {
            var done = 0;
            while (done < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination[done..], offset + done);
                if (read == 0) break; // shorter than the object: not its file any more
                done += read;
            }
            if (done == destination.Length) return;
        }
        lease.Span.Slice((int)offset, destination.Length).CopyTo(destination);
    }

    /// <summary>Checks a pushed chunk and writes it into the unsealed object (created by the store grain's Create).</summary>
    private TransferProtocol.Status Receive(ObjectId id, long offset, ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> trailer)
    {
        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(trailer) != XxHash3.HashToUInt64(chunk)) return TransferProtocol.Status.BadRequest;
        try
        {
            _store.WriteAt(id, offset, chunk);
            return TransferProtocol.Status.Ok;
        }
        catch (InvalidOperationException)
        {
            return TransferProtocol.Status.NotHeld; // not being created here (deleted, sealed, never created)
        }
        catch (ArgumentOutOfRangeException)
        {
            return TransferProtocol.Status.BadRequest;
        }
    }

    /// <summary>Sends a response header with no payload (a refusal, or the acknowledgement of a pushed chunk).</summary>
    private static async ValueTask RefuseAsync(Stream connection, byte[] header, TransferProtocol.Status status, CancellationToken ct)
    {
        TransferProtocol.WriteResponseHeader(header, status, 0);
        await TransferProtocol.SendAllAsync(connection, header.AsMemory(0, TransferProtocol.ResponseHeaderSize), ct).ConfigureAwait(false);
    }

    /// <summary>The file of the object a connection read last: consecutive chunks of one object open it once.</summary>
    private sealed class OpenFile : IDisposable
    {
        private string? _path;
        private SafeFileHandle? _handle;

        public SafeFileHandle? Get(string path)
        {
            if (path == _path) return _handle;
            Dispose();
            _path = path;
            try
            {
                _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _handle = null; // deleted or moved: the caller copies from the mapping
            }
            return _handle;
        }

        public void Dispose()
        {
            _handle?.Dispose();
            _handle = null;
            _path = null;
        }
    }
}

/// <summary>Where and how to reach a node's transfer channel: its machine, port and access token.</summary>
[GenerateSerializer, Immutable]
internal sealed record TransferEndpoint([property: Id(0)] string Host, [property: Id(1)] int Port, [property: Id(2)] byte[] Token);
