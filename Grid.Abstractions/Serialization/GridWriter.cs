using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Grid.Serialization;

/// <summary>
/// Appends the encoding of one value. A ref struct passed by ref through the codecs, so writing
/// allocates nothing but its pooled scratch buffer. Two modes:
/// <list type="bullet">
/// <item>array mode (no output): the buffer grows and <see cref="ToArray"/> copies it out;</item>
/// <item>output mode: full chunks are flushed to the <see cref="IBufferWriter{T}"/>, and large raw
/// blocks go straight to it, so a 100 MB array is copied once.</item>
/// </list>
/// <see cref="Position"/> counts from the first byte of this value in both modes: raw blocks are
/// aligned to 8 relative to it.
/// </summary>
internal ref struct GridWriter
{
    private const int InitialSize = 256;
    /// <summary>Buffers up to this size come from and go back to the shared pool; larger ones are allocated and dropped.</summary>
    private const int PooledLimit = 1 << 20;
    /// <summary>In output mode, raw blocks at least this big bypass the scratch buffer.</summary>
    private const int DirectWriteThreshold = 16 * 1024;

    [ThreadStatic] private static Dictionary<Type, int>? t_typeTable;

    private byte[] _buffer;
    private int _pos;
    private readonly IBufferWriter<byte>? _output;
    private long _flushed;
    private int _depth;
    private readonly int _maxDepth;
    private Dictionary<Type, int>? _types;
    // The owner of the last ref written in this value: a value's refs mostly share one or two owners, and an
    // owner's text is ~40 bytes against the ref's 16 (see ObjectRefCodec).
    private GrainId _lastOwner;

    public GridWriter(GridSerializer serializer, IBufferWriter<byte>? output)
    {
        Serializer = serializer;
        _output = output;
        _maxDepth = serializer.MaxDepth;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        _pos = 0;
        _flushed = 0;
        _depth = 0;
        _types = null;
        _lastOwner = default;
    }

    public readonly GridSerializer Serializer { get; }

    /// <summary>Split mode: <see cref="WriteRawBlock"/> records where its block goes instead of writing it.</summary>
    public bool LeaveRawBlockOut { get; init; }

    /// <summary>In split mode, where the block left out starts (-1: none yet), and its length.</summary>
    public long RawBlockAt { get; private set; } = -1;

    public int RawBlockLength { get; private set; }

    /// <summary>Bytes written so far for this value (including ones already flushed to the output).</summary>
    public readonly long Position => _flushed + _pos;

    // ---- primitives ---------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (_pos == _buffer.Length) Grow(1);
        _buffer[_pos++] = value;
    }

    /// <summary>Writes a value's raw memory (little-endian on every platform .NET runs Grid on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUnmanaged<T>(T value)
    {
        int size = Unsafe.SizeOf<T>();
        if (_buffer.Length - _pos < size) Grow(size);
        Unsafe.WriteUnaligned(ref _buffer[_pos], value);
        _pos += size;
    }

    /// <summary>LEB128: 7 bits a byte, low bits first. Used for lengths, counts and indexes.</summary>
    public void WriteVarUInt(uint value)
    {
        if (_buffer.Length - _pos < 5) Grow(5);
        var buffer = _buffer;
        int pos = _pos;
        while (value >= 0x80)
        {
            buffer[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[pos++] = (byte)value;
        _pos = pos;
    }

    /// <summary>Length + 1 as a varint (0 = null), then UTF-8.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((uint)byteCount + 1);
        if (_buffer.Length - _pos < byteCount) Grow(byteCount);
        _pos += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_pos));
    }

    /// <summary>Plain bytes, no length, no alignment.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _pos < bytes.Length) Grow(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>Zero bytes up to the next multiple of 8 of <see cref="Position"/>.</summary>
    public void Align8()
    {
        int pad = (int)(-Position & 7);
        if (pad == 0) return;
        if (_buffer.Length - _pos < pad) Grow(pad);
        _buffer.AsSpan(_pos, pad).Clear();
        _pos += pad;
    }

    /// <summary>
    /// The memory of an unmanaged array in one copy, 8-aligned so a reader holding the buffer at an
    /// aligned address can view it in place. The length is written (by the caller) before it.
    /// </summary>
    public void WriteRawBlock(ReadOnlySpan<byte> bytes)
    {
        Align8();
        if (LeaveRawBlockOut)
        {
            // Split mode (GridSerializer.TrySplitRawValue): the block is left for the caller to place after the bytes
            // written so far; a second block, or anything after it, makes the split fail.
            if (RawBlockAt >= 0) throw new InvalidOperationException("A value split around its raw block has more than one.");
            RawBlockAt = Position;
            RawBlockLength = bytes.Length;
            return;
        }
        if (_output is not null && bytes.Length >= DirectWriteThreshold)
        {
            Flush();
            _output.Write(bytes);
            _flushed += bytes.Length;
            return;
        }
        WriteBytes(bytes);
    }

    // ---- graph bookkeeping ----------------------------------------------------------------------

    /// <summary>
    /// Called by every codec that writes other values (objects, collections, arrays of references).
    /// Values are written as trees, so a cycle would recurse forever; the depth limit turns it into
    /// an error before the stack overflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(Type type)
    {
        if (++_depth > _maxDepth) throw TooDeep(type, _maxDepth);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => _depth--;

    private static GridSerializationException TooDeep(Type type, int max) => new(
        $"Grid cannot serialize this value: it nests more than {max} objects deep (at a {TypeNames.Full(type)}), " +
        "which almost always means the object graph has a cycle (an object that refers back to itself, e.g. a parent/child link). " +
        "Grid serializes values as trees: remove the back-reference (mark the field [NonSerialized]) or send the data in a flat form.");

    /// <summary>Index of a runtime type already described in this value (see <see cref="PolymorphicCodec{T}"/>).</summary>
    public readonly bool TryGetTypeIndex(Type type, out int index)
    {
        if (_types is not null) return _types.TryGetValue(type, out index);
        index = -1;
        return false;
    }

    public void AddType(Type type)
    {
        _types ??= t_typeTable ?? new Dictionary<Type, int>();
        t_typeTable = null;
        _types[type] = _types.Count;
    }

    /// <summary>True when <paramref name="owner"/> is the owner of the last ref written in this value; else remembers it.</summary>
    public bool SameOwnerAsLast(GrainId owner)
    {
        if (!_lastOwner.IsDefault && _lastOwner.Equals(owner)) return true;
        _lastOwner = owner;
        return false;
    }

    // ---- buffer management ----------------------------------------------------------------------

    /// <summary>The written bytes as a new array of exactly that length.</summary>
    public readonly byte[] ToArray()
    {
        var result = GC.AllocateUninitializedArray<byte>(_pos);
        _buffer.AsSpan(0, _pos).CopyTo(result);
        return result;
    }

    /// <summary>Output mode: hands whatever is buffered to the output.</summary>
    public void Flush()
    {
        if (_output is null || _pos == 0) return;
        _output.Write(_buffer.AsSpan(0, _pos));
        _flushed += _pos;
        _pos = 0;
    }

    /// <summary>Returns the scratch buffer and the type table to their pools.</summary>
    public void Dispose()
    {
        Return(_buffer);
        _buffer = [];
        if (_types is not null)
        {
            _types.Clear();
            t_typeTable = _types;
            _types = null;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        if (_output is not null)
        {
            Flush();
            if (_buffer.Length >= needed) return;
        }
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_pos + needed);
        if (wanted > Array.MaxLength)
        {
            if ((long)_pos + needed > Array.MaxLength)
                throw new GridSerializationException(
                    "The value is too large for Grid to serialize into one buffer (over 2 GB); split it into several objects.");
            wanted = Array.MaxLength;
        }
        var bigger = Rent((int)wanted);
        _buffer.AsSpan(0, _pos).CopyTo(bigger);
        Return(_buffer);
        _buffer = bigger;
    }

    private static byte[] Rent(int size) =>
        size <= PooledLimit ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Return(byte[] buffer)
    {
        if (buffer.Length > 0 && buffer.Length <= PooledLimit) ArrayPool<byte>.Shared.Return(buffer);
    }
}
