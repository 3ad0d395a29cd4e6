namespace Grid.Serialization;

/// <summary>
/// Codecs for types of libraries Grid does not reference, kept in the Grid assembly built for that library: the
/// serializer finds them by name when it first meets such a type, so neither side references the other and a
/// process without the library never loads it. A torch tensor is written by Grid.Inference's codec (raw memory,
/// read in place on the node that holds it), an Arrow record batch by Grid.Data's (its IPC stream, likewise).
/// </summary>
internal static class ExternalCodecs
{
    private static readonly Dictionary<string, (string Codec, string Package)> ByType = new(StringComparer.Ordinal)
    {
        ["TorchSharp.torch+Tensor, TorchSharp"] = ("Grid.Inference.Tensors.TensorCodec, Grid.Inference", "Grid.Inference"),
        ["Apache.Arrow.RecordBatch, Apache.Arrow"] = ("Grid.Data.Blocks.RecordBatchCodec, Grid.Data", "Grid.Data"),
    };

    /// <summary>Whether values of exactly <paramref name="type"/> are written by a codec from another library.</summary>
    public static bool Covers(Type type) => Entry(type) is not null;

    /// <summary>The codec for values of exactly <paramref name="type"/> from another library, or null when it has none.</summary>
    public static Codec? For(Type type)
    {
        if (Entry(type) is not { } entry) return null;
        var codec = Type.GetType(entry.Codec, throwOnError: false)
            ?? throw UnsupportedTypes.Exception(type, $"its values travel through {entry.Package}: reference the {entry.Package} package in this program.");
        return (Codec)Activator.CreateInstance(codec)!;
    }

    // Simple names first: a put asks for every value it stores, and this answers most without building a string.
    private static readonly HashSet<string> SimpleNames = [.. ByType.Keys.Select(k => k[..k.IndexOf(',')]).Select(t => t[(t.LastIndexOfAny(['.', '+']) + 1)..])];

    private static (string Codec, string Package)? Entry(Type type) =>
        SimpleNames.Contains(type.Name) && type.FullName is { } name && ByType.TryGetValue($"{name}, {type.Assembly.GetName().Name}", out var entry) ? entry : null;
}

/// <summary>A codec whose values are mostly one raw block of memory, with no refs inside (a tensor's elements).</summary>
internal interface IRawValueCodec
{
    /// <summary>The bytes of the raw block <paramref name="value"/> writes.</summary>
    long RawBytes(object value);

    /// <summary>
    /// The memory of the raw block as it lies in <paramref name="value"/> (what its codec writes as its last bytes), or
    /// false when the value would write a copy (e.g. a tensor on a GPU or not contiguous).
    /// </summary>
    bool TryGetBlock(object value, out ReadOnlyMemory<byte> block, out IDisposable? keepAlive);
}
