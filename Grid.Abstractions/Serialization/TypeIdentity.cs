using System.Collections.Concurrent;
using System.Numerics;
using System.Text;

namespace Grid.Serialization;

/// <summary>
/// How a value names its runtime type when it differs from the declared one. Common types get a
/// one-byte code (a boxed int costs 1 byte of type, List&lt;MyRecord&gt; costs 1 byte plus the
/// record's name); arrays and generic instantiations are built from their parts; anything else is
/// "FullName, AssemblySimpleName" (no version, so a rebuilt assembly still matches), resolved by
/// <see cref="GridSerializer.ResolveType"/>. The encoding of each type is computed once and cached.
/// </summary>
/// <remarks>The code tables are part of the wire format: append only.</remarks>
internal static class TypeIdentity
{
    private const byte SzArray = 120;      // element
    private const byte MdArray = 121;      // rank (1 byte), element
    private const byte Named = 122;        // name
    private const byte NamedGeneric = 123; // definition name, argument count (1 byte), arguments
    private const byte GenericBase = 64;   // 64 + index into KnownGeneric, then its arguments
    private const int MaxNesting = 32;

    private static readonly Type?[] Known =
    [
        null, typeof(object), typeof(bool), typeof(char), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(string),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid), typeof(Unit), typeof(Half), typeof(Int128), typeof(UInt128),
        typeof(DateOnly), typeof(TimeOnly), typeof(Type).GetType() /* RuntimeType: what typeof(X) is at run time */, typeof(Uri),
        typeof(Version), typeof(BigInteger), typeof(Exception),
    ];

    private static readonly Type[] KnownGeneric =
    [
        typeof(Nullable<>), typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>), typeof(KeyValuePair<,>), typeof(Queue<>),
        typeof(Stack<>), typeof(SortedDictionary<,>), typeof(SortedSet<>), typeof(SortedList<,>), typeof(LinkedList<>),
        typeof(ObjectRef<>), typeof(Memory<>), typeof(ReadOnlyMemory<>), typeof(ArraySegment<>),
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>),
        typeof(ValueTuple<,,,,>), typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>), typeof(ValueTuple<,,,,,,,>),
        typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>),
        typeof(Tuple<,,,,>), typeof(Tuple<,,,,,>), typeof(Tuple<,,,,,,>), typeof(Tuple<,,,,,,,>),
    ];

    private static readonly Dictionary<Type, byte> KnownCodes = BuildCodes();
    private static readonly ConcurrentDictionary<Type, byte[]> Encoded = new();

    private static Dictionary<Type, byte> BuildCodes()
    {
        var codes = new Dictionary<Type, byte>();
        for (int i = 1; i < Known.Length; i++) codes[Known[i]!] = (byte)i;
        for (int i = 0; i < KnownGeneric.Length; i++) codes[KnownGeneric[i]] = (byte)(GenericBase + i);
        return codes;
    }

    /// <summary>The cached encoding of a runtime type.</summary>
    public static byte[] Encode(Type type) => Encoded.GetOrAdd(type, static t =>
    {
        var bytes = new List<byte>(16);
        Append(bytes, t);
        return bytes.ToArray();
    });

    public static void Forget(Func<Type, bool> unloaded)
    {
        foreach (var type in Encoded.Keys)
            if (unloaded(type)) Encoded.TryRemove(type, out _);
    }

    private static void Append(List<byte> bytes, Type type)
    {
        if (!type.IsGenericType && KnownCodes.TryGetValue(type, out var code))
        {
            bytes.Add(code);
        }
        else if (type.IsSZArray)
        {
            bytes.Add(SzArray);
            Append(bytes, type.GetElementType()!);
        }
        else if (type.IsArray)
        {
            bytes.Add(MdArray);
            bytes.Add((byte)type.GetArrayRank());
            Append(bytes, type.GetElementType()!);
        }
        else if (type.IsConstructedGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (KnownCodes.TryGetValue(definition, out code))
            {
                bytes.Add(code);
            }
            else
            {
                bytes.Add(NamedGeneric);
                AppendString(bytes, NameOf(definition));
                bytes.Add((byte)args.Length);
            }
            foreach (var arg in args) Append(bytes, arg);
        }
        else
        {
            bytes.Add(Named);
            AppendString(bytes, NameOf(type));
        }
    }

    /// <summary>"Namespace.Outer+Inner, AssemblyName": enough to find the type, and stable across versions.</summary>
    public static string NameOf(Type type) =>
        $"{type.FullName ?? throw UnsupportedTypes.Exception(type, "it has no name another process could find it by.")}, {type.Assembly.GetName().Name}";

    // Same layout as GridWriter.WriteString: UTF-8 length + 1 as a varint, then the bytes.
    private static void AppendString(List<byte> bytes, string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        uint v = (uint)utf8.Length + 1;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }
        bytes.Add((byte)v);
        bytes.AddRange(utf8);
    }

    /// <summary>Reads a type written by <see cref="Encode"/>.</summary>
    public static Type Decode(ref GridReader reader, int nesting = 0)
    {
        if (nesting > MaxNesting) throw GridReader.Corrupt("a type name nests too deeply");
        byte code = reader.ReadByte();
        if (code < Known.Length && Known[code] is { } known) return known;
        if (code >= GenericBase && code < GenericBase + KnownGeneric.Length)
            return MakeGeneric(KnownGeneric[code - GenericBase], ReadArguments(ref reader, KnownGeneric[code - GenericBase].GetGenericArguments().Length, nesting));
        switch (code)
        {
            case SzArray:
                return MakeArray(Decode(ref reader, nesting + 1), 0);
            case MdArray:
                int rank = reader.ReadByte();
                if (rank is < 1 or > 32) throw GridReader.Corrupt($"an array rank of {rank}");
                return MakeArray(Decode(ref reader, nesting + 1), rank);
            case Named:
                return ResolveName(ref reader, generic: false);
            case NamedGeneric:
                var definition = ResolveName(ref reader, generic: true);
                int count = reader.ReadByte();
                if (!definition.IsGenericTypeDefinition || definition.GetGenericArguments().Length != count)
                    throw GridReader.Corrupt($"{TypeNames.Full(definition)} does not take {count} type arguments");
                return MakeGeneric(definition, ReadArguments(ref reader, count, nesting));
            default:
                throw GridReader.Corrupt($"unknown type code {code}");
        }
    }

    private static Type[] ReadArguments(ref GridReader reader, int count, int nesting)
    {
        var args = new Type[count];
        for (int i = 0; i < count; i++) args[i] = Decode(ref reader, nesting + 1);
        return args;
    }

    private static Type ResolveName(ref GridReader reader, bool generic)
    {
        var name = reader.ReadString() ?? throw GridReader.Corrupt("a type name is null");
        var type = reader.Serializer.ResolveType(name) ?? throw new GridSerializationException(
            $"Grid cannot find the type '{name}' named in the data. Make sure the assembly that defines it is loaded in this process " +
            "(deployed with the job), or set GridSerializer.TypeResolver.");
        if (generic != type.IsGenericTypeDefinition)
            throw GridReader.Corrupt($"'{name}' is {(generic ? "not " : "")}a generic type definition");
        return type;
    }

    private static Type MakeGeneric(Type definition, Type[] args)
    {
        try { return definition.MakeGenericType(args); }
        catch (ArgumentException e) { throw new GridSerializationException($"The data names {TypeNames.Full(definition)} with type arguments it does not accept.", e); }
    }

    private static Type MakeArray(Type element, int rank)
    {
        try { return rank == 0 ? element.MakeArrayType() : element.MakeArrayType(rank); }
        catch (Exception e) when (e is TypeLoadException or ArgumentException or NotSupportedException)
        {
            throw new GridSerializationException($"The data names an array of {TypeNames.Full(element)}, which cannot exist.", e);
        }
    }
}
