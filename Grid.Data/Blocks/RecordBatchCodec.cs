using System.Buffers;
using Apache.Arrow.Ipc;
using Grid.Serialization;

namespace Grid.Data.Blocks;

/// <summary>
/// An Arrow record batch as a Grid value: the length of its Arrow IPC stream (schema message, one batch message, end
/// of stream), then the stream as one 8-aligned raw block. Found by name by <see cref="ExternalCodecs"/>, so a block
/// is one Grid object whatever holds it (a task's result, a stream item, a field of a value).
/// </summary>
/// <remarks>
/// Reading is zero-copy when the bytes lie in memory that can be pinned (the object store's mapping on the node that
/// holds the object): the batch's buffers are slices of that memory, which stays pinned, so it can neither spill nor
/// be unmapped, until the batch is collected. Elsewhere (bytes fetched from another node, an inline value) the block
/// is read from a copy. Blocks are immutable by contract: a view shares its memory with every reader on the node.
/// </remarks>
internal sealed class RecordBatchCodec : ClassCodec<RecordBatch>
{
    public override int MinSize => 8;

    public override void WriteBody(ref GridWriter writer, RecordBatch value)
    {
        var ipc = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue, BlockOps.SizeBytes(value) + 1024));
        using (var stream = new BufferWriterStream(ipc))
        using (var arrow = new ArrowStreamWriter(stream, value.Schema, leaveOpen: true))
        {
            arrow.WriteRecordBatch(value);
            arrow.WriteEnd();
        }
        writer.WriteUnmanaged((long)ipc.WrittenCount);
        writer.WriteRawBlock(ipc.WrittenSpan);
    }

    public override RecordBatch ReadBody(ref GridReader reader)
    {
        long length = reader.ReadUnmanaged<long>();
        if (length <= 0) throw GridReader.Corrupt($"a record batch of {length} bytes");
        int count = reader.AlignForRawBlock(length);
        ReadOnlyMemory<byte> memory;
        if (PinnedMemoryManager<byte>.TryCreate(reader.Memory, reader.Position, (int)length) is { } view)
        {
            memory = view.Memory;
            reader.Skip(count);
        }
        else
        {
            memory = reader.ReadBytes(count)[..(int)length].ToArray();
        }
        using var arrow = new ArrowStreamReader(memory);
        return arrow.ReadNextRecordBatch() ?? throw GridReader.Corrupt("an Arrow IPC stream without a record batch");
    }
}

/// <summary>A write-only stream over an <see cref="IBufferWriter{T}"/> (Arrow's writer takes a Stream).</summary>
internal sealed class BufferWriterStream(IBufferWriter<byte> output) : Stream
{
    private long _position;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _position;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        output.Write(buffer);
        _position += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }
}
