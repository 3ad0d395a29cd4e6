using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Grid.Serialization;

internal sealed partial class GridSerializer
{
    /// <summary>
    /// Serializes as <see cref="Serialize(object?, Type)"/> does, but gives up (false) as soon as the bytes pass
    /// <paramref name="maxBytes"/>, having held at most that many: a process that must handle large values otherwise
    /// (stream them into a store in chunks) learns the value is large without building it whole.
    /// </summary>
    public bool TrySerializeWithin(object? value, Type declaredType, int maxBytes, [NotNullWhen(true)] out byte[]? bytes)
    {
        CheckFits(value, declaredType);
        if (FastPath.TrySerialize(value, declaredType) is { } fast)
        {
            bytes = fast.Length <= maxBytes ? fast : null;
            return bytes is not null;
        }
        var output = new BoundedOutput(maxBytes);
        try
        {
            Serialize(value, declaredType, output);
        }
        catch (BoundedOutput.LimitReached)
        {
            bytes = null;
            return false;
        }
        bytes = output.ToArray();
        return true;
    }

    /// <summary>A growing buffer that refuses to grow past a limit.</summary>
    private sealed class BoundedOutput(int maxBytes) : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[Math.Min(maxBytes, 256)];
        private int _used;

        public void Advance(int count)
        {
            if (count < 0 || _used + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
            _used += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            var start = Reserve(sizeHint); // may replace the buffer: read it after
            return _buffer.AsMemory(start);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            var start = Reserve(sizeHint);
            return _buffer.AsSpan(start);
        }

        public byte[] ToArray() => _buffer.AsSpan(0, _used).ToArray();

        private int Reserve(int sizeHint)
        {
            var needed = _used + Math.Max(sizeHint, 1);
            if (needed > maxBytes) throw new LimitReached();
            if (needed > _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min(maxBytes, Math.Max((long)_buffer.Length * 2, needed)));
            return _used;
        }

        /// <summary>Thrown through the serializer to stop it; caught by TrySerializeWithin.</summary>
        public sealed class LimitReached : Exception;
    }
}
