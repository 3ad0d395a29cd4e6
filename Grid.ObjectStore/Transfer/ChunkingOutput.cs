using System.Buffers;

namespace Grid.ObjectStore;

/// <summary>
/// A buffer writer that cuts what is written into chunks of a fixed size and hands each full chunk (and the last,
/// shorter one, on <see cref="Flush"/>) to a sink with its offset: a value is serialized into an object piece by
/// piece, holding one chunk at a time, never the whole object.
/// </summary>
internal sealed class ChunkingOutput(int chunkSize, Action<long, ReadOnlySpan<byte>> sink) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
    private int _used;

    /// <summary>Bytes handed to the sink so far.</summary>
    public long Written { get; private set; }

    public void Advance(int count)
    {
        if (count < 0 || count > _buffer.Length - _used) throw new ArgumentOutOfRangeException(nameof(count));
        _used += count;
        if (_used >= chunkSize) Flush();
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_used);
    }

    /// <summary>Hands what is buffered to the sink (in chunks of at most the chunk size).</summary>
    public void Flush()
    {
        var offset = 0;
        while (offset < _used)
        {
            var length = Math.Min(chunkSize, _used - offset);
            sink(Written, _buffer.AsSpan(offset, length));
            Written += length;
            offset += length;
        }
        _used = 0;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Reserve(int sizeHint)
    {
        var wanted = Math.Max(sizeHint, 1);
        if (_buffer.Length - _used >= wanted) return;
        Flush();
        if (_buffer.Length >= wanted) return;
        // A caller asking for more than a chunk at once: a larger buffer, flushed in chunk-sized pieces.
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(wanted);
    }
}
