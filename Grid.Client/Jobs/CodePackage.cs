using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Grid.Jobs;

/// <summary>One assembly of a package: its simple name, its image and (when shipped) its symbols.</summary>
internal sealed record PackagedAssembly(string Name, ReadOnlyMemory<byte> Image, ReadOnlyMemory<byte> Symbols);

/// <summary>
/// A job's code package: its application assemblies in one byte array, addressed by the SHA-256 of
/// that array. The layout is deterministic (assemblies sorted by name, no timestamps), so the same
/// build gives the same hash on every client and is stored once.
/// </summary>
/// <remarks>
/// Layout: "GRIDPKG1", assembly count (int32 LE), then per assembly: name (int32 length + UTF-8),
/// image (int32 length + bytes), symbols (int32 length + bytes; 0 when absent).
/// </remarks>
internal static class CodePackage
{
    private static readonly byte[] Magic = "GRIDPKG1"u8.ToArray();

    /// <summary>The content hash that names a package: lowercase hex SHA-256.</summary>
    public static string Hash(ReadOnlySpan<byte> package) => Convert.ToHexStringLower(SHA256.HashData(package));

    public static byte[] Write(IReadOnlyCollection<PackagedAssembly> assemblies)
    {
        var ordered = assemblies.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray();
        long size = Magic.Length + 4;
        foreach (var a in ordered) size += 12 + Encoding.UTF8.GetByteCount(a.Name) + a.Image.Length + a.Symbols.Length;
        if (size > Array.MaxLength)
            throw new ArgumentException($"The job's assemblies take {size / (1024 * 1024)} MB, more than one package can hold; ship fewer (JobCodeOptions.Assemblies).");
        var package = new byte[size];
        var span = package.AsSpan();
        Magic.CopyTo(span);
        var pos = Magic.Length;
        WriteInt(span, ref pos, ordered.Length);
        foreach (var a in ordered)
        {
            WriteBlock(span, ref pos, Encoding.UTF8.GetBytes(a.Name));
            WriteBlock(span, ref pos, a.Image.Span);
            WriteBlock(span, ref pos, a.Symbols.Span);
        }
        return package;
    }

    /// <summary>Reads a package; the assemblies are views into <paramref name="package"/>, not copies.</summary>
    public static PackagedAssembly[] Read(ReadOnlyMemory<byte> package)
    {
        var span = package.Span;
        if (span.Length < Magic.Length + 4 || !span[..Magic.Length].SequenceEqual(Magic))
            throw new GridException("The job's code package is not a Grid code package (bad header); the client and node may run different Grid versions.");
        var pos = Magic.Length;
        var count = ReadInt(span, ref pos);
        if (count < 0 || count > span.Length) throw Corrupt();
        var result = new PackagedAssembly[count];
        for (var i = 0; i < count; i++)
        {
            var name = Encoding.UTF8.GetString(ReadBlock(package, ref pos).Span);
            result[i] = new PackagedAssembly(name, ReadBlock(package, ref pos), ReadBlock(package, ref pos));
        }
        return result;
    }

    private static void WriteInt(Span<byte> span, ref int pos, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[pos..], value);
        pos += 4;
    }

    private static void WriteBlock(Span<byte> span, ref int pos, ReadOnlySpan<byte> block)
    {
        WriteInt(span, ref pos, block.Length);
        block.CopyTo(span[pos..]);
        pos += block.Length;
    }

    private static int ReadInt(ReadOnlySpan<byte> span, ref int pos)
    {
        if (pos + 4 > span.Length) throw Corrupt();
        var value = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
        pos += 4;
        return value;
    }

    private static ReadOnlyMemory<byte> ReadBlock(ReadOnlyMemory<byte> package, ref int pos)
    {
        var length = ReadInt(package.Span, ref pos);
        if (length < 0 || pos + length > package.Length) throw Corrupt();
        var block = package.Slice(pos, length);
        pos += length;
        return block;
    }

    private static GridException Corrupt() => new("The job's code package is truncated or corrupt; reconnect the client to upload it again.");
}
