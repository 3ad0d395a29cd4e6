using System.Runtime.CompilerServices;
using System.Text;

namespace Grid.Serialization;

/// <summary>
/// Reads one value back. Every read is bounds-checked and every count is checked against the bytes
/// left (times the smallest encoding of an element), so truncated or garbage input fails with a
/// <see cref="GridSerializationException"/> instead of an IndexOutOfRangeException, a huge
/// allocation or a long loop.
/// </summary>
internal ref struct GridReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _pos;
    private int _depth;
    private readonly int _maxDepth;
    private List<Codec>? _types;
    private GrainId _lastOwner;
    private bool _refBound;
    private RefBatch? _refBatch;

    public GridReader(ReadOnlyMemory<byte> data, GridSerializer serializer, IObjectResolver? resolver)
    {
        Memory = data;
        _span = data.Span;
        _pos = 0;
        _depth = 0;
        _maxDepth = serializer.MaxDepth;
        _types = null;
        _lastOwner = default;
        _refBound = false;
        _refBatch = null;
        Serializer = serializer;
        Resolver = resolver;
    }

    /// <summary>The whole input: zero-copy reads and nested blobs slice it.</summary>
    public readonly ReadOnlyMemory<byte> Memory { get; }
    public readonly GridSerializer Serializer { get; }
    /// <summary>What deserialized <see cref="ObjectRef"/>s are bound to.</summary>
    public readonly IObjectResolver? Resolver { get; }

    /// <summary>Offset from the first byte of the value (raw blocks are 8-aligned relative to it).</summary>
    public readonly int Position => _pos;
    public readonly int Remaining => _span.Length - _pos;

    public byte ReadByte()
    {
        if ((uint)_pos >= (uint)_span.Length) throw Truncated();
        return _span[_pos++];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ReadUnmanaged<T>()
    {
        int size = Unsafe.SizeOf<T>();
        if (_span.Length - _pos < size) throw Truncated();
        var value = Unsafe.ReadUnaligned<T>(ref Unsafe.AsRef(in _span[_pos]));
        _pos += size;
        return value;
    }

    public uint ReadVarUInt()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 28 && b > 0x0F) throw Corrupt("a length is out of range");
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Corrupt("a length is out of range");
    }

    /// <summary>A count of elements each encoded in at least <paramref name="minElementSize"/> bytes.</summary>
    public int ReadCount(int minElementSize)
    {
        uint count = ReadVarUInt();
        CheckCount(count, minElementSize);
        return (int)count;
    }

    /// <summary>A length folded with null (varint length + 1, 0 = null): -1 for null.</summary>
    public int ReadLengthOrNull(int minElementSize)
    {
        uint encoded = ReadVarUInt();
        if (encoded == 0) return -1;
        CheckCount(encoded - 1, minElementSize);
        return (int)(encoded - 1);
    }

    private readonly void CheckCount(uint count, int minElementSize)
    {
        if ((ulong)count * (ulong)Math.Max(1, minElementSize) > (ulong)Remaining)
            throw Corrupt($"a count of {count} exceeds the {Remaining} bytes left");
    }

    public string? ReadString()
    {
        int length = ReadLengthOrNull(1);
        if (length < 0) return null;
        if (length == 0) return string.Empty;
        var s = Encoding.UTF8.GetString(_span.Slice(_pos, length));
        _pos += length;
        return s;
    }

    /// <summary>A string's UTF-8 bytes without decoding them (null for a null string).</summary>
    public ReadOnlySpan<byte> ReadStringBytes(out bool isNull)
    {
        int length = ReadLengthOrNull(1);
        isNull = length < 0;
        if (length <= 0) return default;
        var bytes = _span.Slice(_pos, length);
        _pos += length;
        return bytes;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if ((uint)count > (uint)Remaining) throw Truncated();
        var bytes = _span.Slice(_pos, count);
        _pos += count;
        return bytes;
    }

    /// <summary>Skips the padding <see cref="GridWriter.Align8"/> wrote and returns the raw block that follows.</summary>
    public ReadOnlySpan<byte> ReadRawBlock(long byteCount) => ReadBytes(AlignForRawBlock(byteCount));

    /// <summary>Skips the padding and checks the block fits; returns its length. The block starts at <see cref="Position"/>.</summary>
    public int AlignForRawBlock(long byteCount)
    {
        int pad = -_pos & 7;
        if (pad > Remaining) throw Truncated();
        _pos += pad;
        if (byteCount < 0 || byteCount > Remaining) throw Truncated();
        return (int)byteCount;
    }

    public void Skip(int count)
    {
        if ((uint)count > (uint)Remaining) throw Truncated();
        _pos += count;
    }

    /// <summary>Length-prefixed nested serialized value, as a slice of the input.</summary>
    public ReadOnlyMemory<byte> ReadBlob()
    {
        int length = ReadCount(1);
        var blob = Memory.Slice(_pos, length);
        _pos += length;
        return blob;
    }

    public void Enter()
    {
        if (++_depth > _maxDepth) throw Corrupt($"the value nests more than {_maxDepth} levels deep");
    }

    public void Exit() => _depth--;

    /// <summary>The owner of the last ref read in this value (default before the first).</summary>
    public GrainId LastOwner
    {
        readonly get => _lastOwner;
        set => _lastOwner = value;
    }

    /// <summary>
    /// A ref read from this value, bound to <see cref="Resolver"/>. The first has a lifetime of its own; the others
    /// share one (<see cref="RefBatch"/>), so a value holding many refs costs one finalizable object.
    /// </summary>
    public ObjectRef<T> BindRef<T>(ObjectId id, GrainId owner)
    {
        if (!_refBound || Resolver is not IReferenceTracker tracker)
        {
            _refBound = true;
            return new ObjectRef<T>(id, owner, Resolver);
        }
        return new ObjectRef<T>(id, owner, Resolver, _refBatch ??= new RefBatch(tracker));
    }

    /// <summary>A length read from the input, checked against the bytes left.</summary>
    public readonly int CheckedLength(uint length)
    {
        CheckCount(length, 1);
        return (int)length;
    }

    public void AddType(Codec codec) => (_types ??= new List<Codec>(4)).Add(codec);

    public readonly Codec TypeAt(int index) =>
        _types is not null && (uint)index < (uint)_types.Count ? _types[index] : throw Corrupt($"type index {index} is unknown");

    public void ReadVersion()
    {
        if (_span.IsEmpty) throw Corrupt("the data is empty");
        byte version = ReadByte();
        if (version != GridSerializer.FormatVersion)
            throw Corrupt($"it starts with format version {version}, but this Grid reads version {GridSerializer.FormatVersion}");
    }

    public readonly void EnsureEnd()
    {
        if (_pos != _span.Length) throw Corrupt($"{_span.Length - _pos} bytes are left over after the value");
    }

    public static GridSerializationException Truncated() => Corrupt("the data ends early (truncated?)");

    public static GridSerializationException Corrupt(string why) =>
        new($"Grid could not deserialize the data: {why}. The bytes are corrupt, truncated, or were written for another type.");
}
