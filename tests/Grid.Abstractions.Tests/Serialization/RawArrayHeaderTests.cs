using System.Runtime.InteropServices;
using Grid.Serialization;

namespace Grid.Abstractions.Tests.Serialization;

/// <summary>
/// The raw-array header lets the object store write a put array straight from its memory: header plus the elements
/// must be exactly what Serialize writes, or readers would decode garbage.
/// </summary>
public class RawArrayHeaderTests
{
    public static TheoryData<int> Lengths => [0, 1, 7, 126, 127, 128, 16_383, 16_384, 100_000];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Header_and_elements_are_byte_for_byte_what_Serialize_writes(int length)
    {
        Check(Enumerable.Range(0, length).Select(i => (long)i * 31).ToArray());
        Check(Enumerable.Range(0, length).Select(i => i * 0.5).ToArray());
        Check(Enumerable.Range(0, length).ToArray());
        Check(Enumerable.Range(0, length).Select(i => (byte)i).ToArray());
        Check(Enumerable.Range(0, length).Select(i => (short)i).ToArray());
        Check(Enumerable.Range(0, length).Select(i => (float)i).ToArray());
        Check(Enumerable.Range(0, length).Select(i => i % 3 == 0).ToArray());
    }

    [Fact]
    public void Other_values_have_no_raw_header()
    {
        var serializer = GridSerializer.Instance;
        Span<byte> header = stackalloc byte[GridSerializer.RawArrayHeaderMax];
        Assert.False(serializer.TryWriteRawArrayHeader(new long[4], typeof(object), header, out _));
        Assert.False(serializer.TryWriteRawArrayHeader(new long[4], typeof(Array), header, out _));
        Assert.False(serializer.TryWriteRawArrayHeader(new[] { "a" }, typeof(string[]), header, out _));
        Assert.False(serializer.TryWriteRawArrayHeader(new List<long> { 1 }, typeof(List<long>), header, out _));
        Assert.False(serializer.TryWriteRawArrayHeader(null, typeof(long[]), header, out _));
        Assert.False(serializer.TryWriteRawArrayHeader(new long[2, 2], typeof(long[,]), header, out _));
    }

    private static void Check<T>(T[] value) where T : unmanaged
    {
        var serializer = GridSerializer.Instance;
        Span<byte> header = stackalloc byte[GridSerializer.RawArrayHeaderMax];
        Assert.True(serializer.TryWriteRawArrayHeader(value, typeof(T[]), header, out var headerLength));
        byte[] pieces = [.. header[..headerLength], .. MemoryMarshal.AsBytes(value.AsSpan())];
        Assert.Equal(serializer.Serialize(value, typeof(T[])), pieces);
        Assert.Equal(value, serializer.Deserialize<T[]>(pieces));
    }
}
