using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.Serialization;

/// <summary>
/// An array of an unmanaged type (int[], double[], a struct without references…): its length + 1
/// (0 = null) and then its memory in one copy, 8-aligned. Reading always makes a fresh array, also
/// in one copy.
/// </summary>
internal sealed class UnmanagedArrayCodec<T> : ClassCodec<T[]> where T : struct
{
    public override void Write(ref GridWriter writer, T[] value)
    {
        if (value is null)
        {
            writer.WriteByte(0);
            return;
        }
        WriteBody(ref writer, value);
    }

    public override T[] Read(ref GridReader reader) => ReadCore(ref reader, allowNull: true)!;

    public override void WriteBody(ref GridWriter writer, T[] value)
    {
        writer.WriteVarUInt((uint)value.Length + 1);
        writer.WriteRawBlock(MemoryMarshal.AsBytes(value.AsSpan()));
    }

    public override T[] ReadBody(ref GridReader reader) => ReadCore(ref reader, allowNull: false)!;

    private static T[]? ReadCore(ref GridReader reader, bool allowNull)
    {
        int length = reader.ReadLengthOrNull(Unsafe.SizeOf<T>());
        if (length < 0) return allowNull ? null : throw GridReader.Corrupt("an array that must not be null is null");
        var block = reader.ReadRawBlock((long)length * Unsafe.SizeOf<T>());
        var array = GC.AllocateUninitializedArray<T>(length);
        block.CopyTo(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }
}

/// <summary>Any other one-dimensional array (jagged ones too): length + 1 (0 = null), then each element.</summary>
internal sealed class ArrayCodec<T> : ClassCodec<T[]>
{
    private Codec<T> _element = null!;

    public override void Initialize() => _element = (Codec<T>)CodecRegistry.ForDeclared(typeof(T));

    public override void Write(ref GridWriter writer, T[] value)
    {
        if (value is null)
        {
            writer.WriteByte(0);
            return;
        }
        WriteBody(ref writer, value);
    }

    public override T[] Read(ref GridReader reader) => ReadCore(ref reader, allowNull: true)!;

    public override void WriteBody(ref GridWriter writer, T[] value)
    {
        writer.Enter(typeof(T[]));
        writer.WriteVarUInt((uint)value.Length + 1);
        var element = _element;
        try
        {
            foreach (var item in value) element.Write(ref writer, item);
        }
        catch (UnsupportedTypeException e) { throw e.In(typeof(T[]), "[]"); }
        writer.Exit();
    }

    public override T[] ReadBody(ref GridReader reader) => ReadCore(ref reader, allowNull: false)!;

    private T[]? ReadCore(ref GridReader reader, bool allowNull)
    {
        int length = reader.ReadLengthOrNull(_element.MinSize);
        if (length < 0) return allowNull ? null : throw GridReader.Corrupt("an array that must not be null is null");
        reader.Enter();
        var array = new T[length];
        var element = _element;
        for (int i = 0; i < array.Length; i++) array[i] = element.Read(ref reader);
        reader.Exit();
        return array;
    }
}

/// <summary>
/// A multi-dimensional array (T[,], T[,,]…, and T[*] with a lower bound): marker, each dimension's
/// length and lower bound, then the elements in memory (row-major) order. Unmanaged elements go as
/// one 8-aligned raw block over the array's data (MemoryMarshal.GetArrayDataReference), like T[].
/// </summary>
internal sealed class MdArrayCodec<TArray, T> : ClassCodec<TArray> where TArray : class
{
    private static readonly int Rank = typeof(TArray).GetArrayRank();
    private Codec<T> _element = null!;
    private bool _raw;

    public override void Initialize()
    {
        _element = (Codec<T>)CodecRegistry.ForDeclared(typeof(T));
        _raw = _element is IRawCodec;
    }

    public override void WriteBody(ref GridWriter writer, TArray value)
    {
        var array = (Array)(object)value;
        writer.Enter(typeof(TArray));
        for (int d = 0; d < Rank; d++)
        {
            writer.WriteVarUInt((uint)array.GetLength(d));
            writer.WriteUnmanaged(array.GetLowerBound(d));
        }
        if (_raw)
        {
            writer.WriteRawBlock(RawBytes(array));
        }
        else
        {
            try
            {
                foreach (var item in Elements(array)) _element.Write(ref writer, item);
            }
            catch (UnsupportedTypeException e) { throw e.In(typeof(TArray), "[]"); }
        }
        writer.Exit();
    }

    public override TArray ReadBody(ref GridReader reader)
    {
        reader.Enter();
        var lengths = new int[Rank];
        var lowerBounds = new int[Rank];
        long total = 1;
        for (int d = 0; d < Rank; d++)
        {
            lengths[d] = reader.ReadCount(0);
            lowerBounds[d] = reader.ReadUnmanaged<int>();
            total *= lengths[d];
            if (total * Math.Max(1, _element.MinSize) > reader.Remaining)
                throw GridReader.Corrupt($"a {Rank}-dimensional array of {total}+ elements does not fit in the {reader.Remaining} bytes left");
        }
        var array = Array.CreateInstance(typeof(T), lengths, lowerBounds);
        if (_raw)
        {
            reader.ReadRawBlock(total * Unsafe.SizeOf<T>()).CopyTo(RawBytes(array));
        }
        else
        {
            var elements = Elements(array);
            for (int i = 0; i < elements.Length; i++) elements[i] = _element.Read(ref reader);
        }
        reader.Exit();
        return (TArray)(object)array;
    }

    /// <summary>All elements of any-rank array as one span, in memory order.</summary>
    private static Span<T> Elements(Array array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    /// <summary>The array's data as bytes (only for unmanaged T).</summary>
    private static Span<byte> RawBytes(Array array) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * Unsafe.SizeOf<T>()));
}

/// <summary>Marks codecs whose values are raw memory (arrays and lists of them go as one block).</summary>
internal interface IRawCodec;

/// <summary>Byte views of element spans, for raw blocks.</summary>
internal static class Raw
{
    /// <summary>The memory of <paramref name="items"/> as bytes (only meaningful for unmanaged T).</summary>
    public static Span<byte> Bytes<T>(Span<T> items) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(items)), checked(items.Length * Unsafe.SizeOf<T>()));
}
