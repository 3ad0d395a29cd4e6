using System.Buffers.Binary;

namespace Grid.ObjectStore;

/// <summary>
/// The wire format of the node-to-node transfer channel. A connection carries requests one after another:
/// <code>
/// request  (56 B): magic u32 | version u16, operation u16 | token 16 B | object id hi u64, lo u64 | offset i64 | length i64
///   read:  response (16 B): status i32 | reserved i32 | length i64, then length bytes, then their XxHash3 u64
///   write: the request is followed by length bytes and their XxHash3 u64; response: status, length 0
/// </code>
/// Little-endian. In a cluster with credentials (<see cref="NetworkTransferOptions.Credentials"/>) every connection is
/// TLS with mutual authentication against the cluster's authority first, so only members connect at all. The token
/// is a per-node secret handed out by the node's transfer grain (reachable by members only); it is what guards the
/// channel of a cluster without TLS, and it stops a connection to a restarted node's reused port reading the wrong store.
/// </summary>
internal static class TransferProtocol
{
    public const uint Magic = 0x54445247; // "GRDT"
    public const ushort Version = 1;
    public const int RequestSize = 56;
    public const int ResponseHeaderSize = 16;
    public const int TrailerSize = 8;
    public const int TokenSize = 16;
    /// <summary>Largest chunk a server serves in one response (it buffers one chunk per connection).</summary>
    public const int MaxChunk = 64 * 1024 * 1024;

    public enum Status { Ok = 0, NotHeld = 1, BadRequest = 2, Unauthorized = 3 }

    public enum Operation : ushort { Read = 0, Write = 1 }

    public readonly record struct Request(ReadOnlyMemory<byte> Token, ObjectId Id, long Offset, long Length);

    public static void WriteRequest(Span<byte> buffer, ReadOnlySpan<byte> token, ObjectId id, long offset, long length, Operation operation = Operation.Read)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], (ushort)operation);
        token.CopyTo(buffer[8..24]);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[24..], id.Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[32..], id.Lo);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[40..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[48..], length);
    }

    /// <summary>False when the bytes are not a request of this protocol version.</summary>
    public static bool TryReadRequest(ReadOnlySpan<byte> buffer, out ObjectId id, out long offset, out long length) =>
        TryReadRequest(buffer, out _, out id, out offset, out length);

    public static bool TryReadRequest(ReadOnlySpan<byte> buffer, out Operation operation, out ObjectId id, out long offset, out long length)
    {
        id = default;
        offset = length = 0;
        operation = (Operation)BinaryPrimitives.ReadUInt16LittleEndian(buffer[6..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(buffer) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(buffer[4..]) != Version
            || operation is not (Operation.Read or Operation.Write)) return false;
        id = new ObjectId(BinaryPrimitives.ReadUInt64LittleEndian(buffer[24..]), BinaryPrimitives.ReadUInt64LittleEndian(buffer[32..]));
        offset = BinaryPrimitives.ReadInt64LittleEndian(buffer[40..]);
        length = BinaryPrimitives.ReadInt64LittleEndian(buffer[48..]);
        return true;
    }

    public static ReadOnlySpan<byte> TokenOf(ReadOnlySpan<byte> request) => request[8..24];

    public static void WriteResponseHeader(Span<byte> buffer, Status status, long length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)status);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], length);
    }

    public static (Status Status, long Length) ReadResponseHeader(ReadOnlySpan<byte> buffer) =>
        ((Status)BinaryPrimitives.ReadInt32LittleEndian(buffer), BinaryPrimitives.ReadInt64LittleEndian(buffer[8..]));

    /// <summary>Fills <paramref name="buffer"/> from the connection; false when the peer closed it first.</summary>
    public static async ValueTask<bool> ReceiveExactlyAsync(Stream connection, Memory<byte> buffer, CancellationToken ct) =>
        await connection.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false) == buffer.Length;

    public static ValueTask SendAllAsync(Stream connection, ReadOnlyMemory<byte> buffer, CancellationToken ct) =>
        connection.WriteAsync(buffer, ct);
}
