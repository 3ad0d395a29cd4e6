using System.Buffers;

namespace Grid.ObjectStore;

public sealed partial class LocalObjectStore
{
    /// <summary>
    /// Creates object <paramref name="id"/> of <paramref name="size"/> bytes and fills it by handing
    /// <paramref name="fill"/> a buffer writer that streams into the object's file in 1 MiB pieces, then seals it.
    /// For values serialized straight into the store: no staging array of the object's size (a fresh one costs a
    /// page fault per 4 KiB). <paramref name="fill"/> must write exactly <paramref name="size"/> bytes, else the
    /// object is dropped and <see cref="InvalidOperationException"/> thrown.
    /// </summary>
    public void Put(ObjectId id, long size, Action<IBufferWriter<byte>> fill)
    {
        using var writer = Create(id, size);
        using (var output = new ObjectFileWriter(writer))
        {
            fill(output);
            output.Flush();
            if (output.Written != size)
                throw new InvalidOperationException($"Object {id} was created for {size} bytes, but {output.Written} were written; was the value changed while it was being stored?");
        }
        writer.Seal();
    }

    /// <summary>How many bytes <paramref name="fill"/> writes, counted through a small reused buffer (nothing kept).</summary>
    public static long Measure(Action<IBufferWriter<byte>> fill)
    {
        using var counter = new ObjectFileWriter(target: null);
        fill(counter);
        counter.Flush();
        return counter.Written;
    }

    /// <summary>
    /// A buffer writer over a pooled buffer, flushed into an object's file through <see cref="ObjectWriter.Write"/>
    /// (or only counted, without a target). Serializers ask for spans without a size hint for large raw blocks, so
    /// a small buffer suffices.
    /// </summary>
    private sealed class ObjectFileWriter(ObjectWriter? target) : IBufferWriter<byte>, IDisposable
    {
        private const int Piece = 1024 * 1024;
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Piece);
        private int _used;

        public long Written { get; private set; }

        public void Advance(int count)
        {
            if (count < 0 || count > _buffer.Length - _used) throw new ArgumentOutOfRangeException(nameof(count));
            _used += count;
            if (_used == _buffer.Length) Flush();
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

        public void Flush()
        {
            if (_used == 0) return;
            if (target is not null)
            {
                if (Written + _used > target.Size)
                    throw new InvalidOperationException($"Object {target.Id} was created for {target.Size} bytes, but more are being written; was the value changed while it was being stored?");
                target.Write(Written, _buffer.AsSpan(0, _used));
            }
            Written += _used;
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
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(wanted);
        }
    }
}
