using System.Collections.Concurrent;

namespace Grid.Serialization;

/// <summary>
/// A slot declared as object, an interface, an abstract or non-sealed class, or a covariant array:
/// the value says what it is. One tag byte, then the body of its runtime type's codec:
/// <list type="table">
/// <item><term>0</term><description>null</description></item>
/// <item><term>1</term><description>exactly the declared type</description></item>
/// <item><term>2</term><description>a type described here (<see cref="TypeIdentity"/>); it gets the next index</description></item>
/// <item><term>3</term><description>varint index of a type described earlier in this value (a list of
/// 1000 records names the record type once)</description></item>
/// </list>
/// </summary>
internal sealed class PolymorphicCodec<T> : Codec<T> where T : class
{
    private const byte Null = 0, Declared = 1, NewType = 2, SeenType = 3;

    /// <summary>How to write one runtime type: its codec, its encoded identity, and (for lazy sequences) a conversion.</summary>
    private sealed record Entry(Type Type, Codec Codec, byte[] Identity, Func<object, object>? Materialize);

    private readonly ConcurrentDictionary<Type, Entry> _entries = new();
    private volatile Entry? _last; // most values in a slot have the same runtime type
    private Codec? _exact;

    public override void Initialize()
    {
        if (!typeof(T).IsAbstract && !typeof(T).IsInterface) _exact = CodecRegistry.ForExact(typeof(T));
    }

    public override void Write(ref GridWriter writer, T value)
    {
        if (value is null)
        {
            writer.WriteByte(Null);
            return;
        }
        var runtimeType = value.GetType();
        if (runtimeType == typeof(T))
        {
            writer.WriteByte(Declared);
            _exact!.WriteBoxedBody(ref writer, value);
            return;
        }
        var entry = _last;
        if (entry is null || entry.Type != runtimeType) _last = entry = Lookup(runtimeType);
        if (writer.TryGetTypeIndex(entry.Type, out int index))
        {
            writer.WriteByte(SeenType);
            writer.WriteVarUInt((uint)index);
        }
        else
        {
            writer.WriteByte(NewType);
            writer.WriteBytes(entry.Identity);
            writer.AddType(entry.Type);
        }
        entry.Codec.WriteBoxedBody(ref writer, entry.Materialize is null ? value : entry.Materialize(value));
    }

    public override T Read(ref GridReader reader)
    {
        Codec codec;
        switch (reader.ReadByte())
        {
            case Null:
                return null!;
            case Declared:
                codec = _exact ?? throw GridReader.Corrupt($"a value claims to be exactly the abstract {TypeNames.Full(typeof(T))}");
                break;
            case NewType:
                codec = CodecFor(TypeIdentity.Decode(ref reader));
                reader.AddType(codec);
                break;
            case SeenType:
                codec = reader.TypeAt(checked((int)reader.ReadVarUInt()));
                if (!typeof(T).IsAssignableFrom(codec.Type)) throw NotAssignable(codec.Type);
                break;
            case var tag:
                throw GridReader.Corrupt($"unknown type tag {tag} for a {TypeNames.Full(typeof(T))}");
        }
        return (T)codec.ReadBoxedBody(ref reader);
    }

    private static Codec CodecFor(Type type)
    {
        // The data names the type: accept only what this slot could hold, before building anything.
        if (!typeof(T).IsAssignableFrom(type) || type.IsAbstract || type.IsInterface) throw NotAssignable(type);
        try { return CodecRegistry.ForExact(type); }
        catch (UnsupportedTypeException e) { throw e.ToGridException(); }
    }

    private static GridSerializationException NotAssignable(Type type) =>
        GridReader.Corrupt($"it holds a {TypeNames.Full(type)} where a {TypeNames.Full(typeof(T))} was expected");

    public override void ForgetTypes(Func<Type, bool> unloaded)
    {
        foreach (var type in _entries.Keys)
            if (unloaded(type)) _entries.TryRemove(type, out _);
        if (_last is { } last && unloaded(last.Type)) _last = null;
    }

    private Entry Lookup(Type runtimeType)
    {
        if (_entries.TryGetValue(runtimeType, out var entry)) return entry;
        entry = Materializer(runtimeType) ?? new Entry(runtimeType, CodecRegistry.ForExact(runtimeType), TypeIdentity.Encode(runtimeType), null);
        return _entries.GetOrAdd(runtimeType, entry);
    }

    /// <summary>
    /// A lazy sequence (a LINQ query, a yield-return iterator, a collection expression's hidden
    /// list type) in a slot declared as IEnumerable&lt;X&gt; or the like is sent as an X[]: its
    /// fields are an iterator's state (and often a delegate), not data.
    /// </summary>
    private static Entry? Materializer(Type runtimeType)
    {
        if (runtimeType.IsArray || (runtimeType.IsVisible && !TypeFacts.IsCompilerGenerated(runtimeType))) return null;
        if (!TypeFacts.IsCompilerGenerated(runtimeType) && runtimeType.Namespace?.StartsWith("System", StringComparison.Ordinal) != true) return null;
        if (TypeFacts.EnumerableElement(runtimeType) is not { } element) return null;
        var arrayType = element.MakeArrayType();
        if (!typeof(T).IsAssignableFrom(arrayType)) return null;
        var toArray = (Func<object, object>)Delegate.CreateDelegate(typeof(Func<object, object>),
            typeof(PolymorphicCodec<T>).GetMethod(nameof(ToArray), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(element));
        return new Entry(arrayType, CodecRegistry.ForExact(arrayType), TypeIdentity.Encode(arrayType), toArray);
    }

    private static object ToArray<TElement>(object sequence) => ((IEnumerable<TElement>)sequence).ToArray();
}
