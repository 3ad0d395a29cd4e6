using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Grid.Serialization;

/// <summary>
/// The most common declared types (int, long, double, bool, string, byte[], int[], double[])
/// encoded straight into an exactly sized result array: no writer, no pooled buffer, no codec
/// lookup, one allocation. The bytes are identical to what the general codecs write (tests check).
/// </summary>
internal static class FastPath
{
    private const byte Version = GridSerializer.FormatVersion;

    public static byte[] Scalar<T>(T value) where T : unmanaged
    {
        var bytes = GC.AllocateUninitializedArray<byte>(1 + Unsafe.SizeOf<T>());
        bytes[0] = Version;
        Unsafe.WriteUnaligned(ref bytes[1], value);
        return bytes;
    }

    public static byte[] String(string? value)
    {
        if (value is null) return [Version, 0];
        int count = Encoding.UTF8.GetByteCount(value);
        int header = 1 + VarUIntLength((uint)count + 1);
        var bytes = GC.AllocateUninitializedArray<byte>(header + count);
        bytes[0] = Version;
        WriteVarUInt(bytes.AsSpan(1), (uint)count + 1);
        Encoding.UTF8.GetBytes(value, bytes.AsSpan(header));
        return bytes;
    }

    /// <summary>Version, length + 1, zero padding to 8, then the elements' memory.</summary>
    public static byte[] RawArray<T>(T[]? value) where T : unmanaged
    {
        if (value is null) return [Version, 0];
        Span<byte> header = stackalloc byte[RawArrayHeaderMax];
        int headerLength = RawArrayHeader(value.Length, header);
        long total = headerLength + (long)value.Length * Unsafe.SizeOf<T>();
        if (total > Array.MaxLength)
            throw new GridSerializationException("The value is too large for Grid to serialize into one buffer (over 2 GB); split it into several objects.");
        var bytes = GC.AllocateUninitializedArray<byte>((int)total);
        header[..headerLength].CopyTo(bytes);
        MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(bytes.AsSpan(headerLength));
        return bytes;
    }

    /// <summary>The longest <see cref="RawArrayHeader"/>: version, a 5-byte length, padding to 8.</summary>
    public const int RawArrayHeaderMax = 8;

    /// <summary>What precedes the elements of a non-null unmanaged array: version, length + 1, zero padding to 8. Returns its length.</summary>
    public static int RawArrayHeader(int length, Span<byte> destination)
    {
        int header = 1 + VarUIntLength((uint)length + 1);
        int pad = -header & 7;
        destination[0] = Version;
        WriteVarUInt(destination[1..], (uint)length + 1);
        destination.Slice(header, pad).Clear();
        return header + pad;
    }

    /// <summary>The non-generic Serialize's fast paths (the value has been checked against the type).</summary>
    public static byte[]? TrySerialize(object? value, Type declaredType)
    {
        if (declaredType == typeof(int)) return Scalar((int)value!);
        if (declaredType == typeof(long)) return Scalar((long)value!);
        if (declaredType == typeof(double)) return Scalar((double)value!);
        if (declaredType == typeof(bool)) return Scalar((bool)value!);
        if (declaredType == typeof(string)) return String((string?)value);
        if (declaredType == typeof(byte[])) return RawArray((byte[]?)value);
        if (declaredType == typeof(int[])) return RawArray((int[]?)value);
        if (declaredType == typeof(double[])) return RawArray((double[]?)value);
        return null;
    }

    /// <summary>A scalar <typeparamref name="TValue"/> returned as <typeparamref name="T"/> (the same type; the JIT removes the cast).</summary>
    public static T ReadScalar<TValue, T>(ReadOnlySpan<byte> data) where TValue : unmanaged
    {
        if (data.IsEmpty) throw GridReader.Corrupt("the data is empty");
        if (data[0] != Version)
            throw GridReader.Corrupt($"it starts with format version {data[0]}, but this Grid reads version {Version}");
        if (data.Length != 1 + Unsafe.SizeOf<TValue>())
            throw GridReader.Corrupt($"a {typeof(TValue).Name} takes {1 + Unsafe.SizeOf<TValue>()} bytes, not {data.Length}");
        var value = Unsafe.ReadUnaligned<TValue>(ref Unsafe.AsRef(in data[1]));
        return Unsafe.As<TValue, T>(ref value);
    }

    private static int VarUIntLength(uint value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }

    private static void WriteVarUInt(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i] = (byte)value;
    }
}
