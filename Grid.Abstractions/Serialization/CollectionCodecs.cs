using System.Runtime.InteropServices;

namespace Grid.Serialization;

// Collections are written by content (count, then the elements), not by their internal fields: the
// copy is rebuilt through the public API, so it is a valid collection even where internals differ.
// Only the built-in string comparers of Dictionary and HashSet travel; a custom comparer cannot
// (it may be any code), and the copy uses the default one.

/// <summary>List&lt;T&gt;: marker, count, elements; a list of unmanaged T is one raw block.</summary>
internal sealed class ListCodec<T> : ClassCodec<List<T>>
{
    private Codec<T> _element = null!;
    private bool _raw;

    public override void Initialize()
    {
        _element = Elements.Resolve<T>(typeof(List<T>));
        _raw = _element is IRawCodec;
    }

    public override void WriteBody(ref GridWriter writer, List<T> value)
    {
        writer.Enter(typeof(List<T>));
        var items = CollectionsMarshal.AsSpan(value);
        writer.WriteVarUInt((uint)items.Length);
        if (_raw)
        {
            writer.WriteRawBlock(Raw.Bytes(items));
        }
        else
        {
            try
            {
                foreach (var item in items) _element.Write(ref writer, item);
            }
            catch (UnsupportedTypeException e) { throw e.In(typeof(List<T>), "[]"); }
        }
        writer.Exit();
    }

    public override List<T> ReadBody(ref GridReader reader)
    {
        reader.Enter();
        int count = reader.ReadCount(_element.MinSize);
        var list = new List<T>(count);
        if (_raw)
        {
            CollectionsMarshal.SetCount(list, count);
            reader.ReadRawBlock(count * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<T>()).CopyTo(Raw.Bytes(CollectionsMarshal.AsSpan(list)));
        }
        else
        {
            for (int i = 0; i < count; i++) list.Add(_element.Read(ref reader));
        }
        reader.Exit();
        return list;
    }
}

/// <summary>Dictionary&lt;K,V&gt;: marker, comparer code, count, key/value pairs.</summary>
internal sealed class DictionaryCodec<TKey, TValue> : ClassCodec<Dictionary<TKey, TValue>> where TKey : notnull
{
    private Codec<TKey> _key = null!;
    private Codec<TValue> _value = null!;

    public override void Initialize()
    {
        try { _key = (Codec<TKey>)CodecRegistry.ForDeclared(typeof(TKey)); }
        catch (UnsupportedTypeException e) { throw e.In(typeof(Dictionary<TKey, TValue>), "[key]"); }
        try { _value = (Codec<TValue>)CodecRegistry.ForDeclared(typeof(TValue)); }
        catch (UnsupportedTypeException e) { throw e.In(typeof(Dictionary<TKey, TValue>), "[value]"); }
    }

    public override void WriteBody(ref GridWriter writer, Dictionary<TKey, TValue> value)
    {
        writer.Enter(typeof(Dictionary<TKey, TValue>));
        writer.WriteByte(Comparers.Code(value.Comparer));
        writer.WriteVarUInt((uint)value.Count);
        try
        {
            foreach (var (k, v) in value)
            {
                _key.Write(ref writer, k);
                _value.Write(ref writer, v);
            }
        }
        catch (UnsupportedTypeException e) { throw e.In(typeof(Dictionary<TKey, TValue>), "[]"); }
        writer.Exit();
    }

    public override Dictionary<TKey, TValue> ReadBody(ref GridReader reader)
    {
        reader.Enter();
        var comparer = Comparers.FromCode<TKey>(reader.ReadByte());
        int count = reader.ReadCount(_key.MinSize + _value.MinSize);
        var dictionary = new Dictionary<TKey, TValue>(count, comparer);
        for (int i = 0; i < count; i++)
        {
            var key = _key.Read(ref reader);
            dictionary[key] = _value.Read(ref reader);
        }
        reader.Exit();
        return dictionary;
    }
}

/// <summary>HashSet&lt;T&gt;: marker, comparer code, count, elements.</summary>
internal sealed class HashSetCodec<T> : ClassCodec<HashSet<T>>
{
    private Codec<T> _element = null!;

    public override void Initialize() => _element = Elements.Resolve<T>(typeof(HashSet<T>));

    public override void WriteBody(ref GridWriter writer, HashSet<T> value)
    {
        writer.Enter(typeof(HashSet<T>));
        writer.WriteByte(Comparers.Code(value.Comparer));
        Elements.Write(ref writer, _element, value, value.Count, typeof(HashSet<T>));
        writer.Exit();
    }

    public override HashSet<T> ReadBody(ref GridReader reader)
    {
        reader.Enter();
        var comparer = Comparers.FromCode<T>(reader.ReadByte());
        int count = reader.ReadCount(_element.MinSize);
        var set = new HashSet<T>(count, comparer);
        for (int i = 0; i < count; i++) set.Add(_element.Read(ref reader));
        reader.Exit();
        return set;
    }
}

/// <summary>Queue&lt;T&gt;: marker, count, elements front to back.</summary>
internal sealed class QueueCodec<T> : ClassCodec<Queue<T>>
{
    private Codec<T> _element = null!;

    public override void Initialize() => _element = Elements.Resolve<T>(typeof(Queue<T>));

    public override void WriteBody(ref GridWriter writer, Queue<T> value)
    {
        writer.Enter(typeof(Queue<T>));
        Elements.Write(ref writer, _element, value, value.Count, typeof(Queue<T>));
        writer.Exit();
    }

    public override Queue<T> ReadBody(ref GridReader reader)
    {
        reader.Enter();
        int count = reader.ReadCount(_element.MinSize);
        var queue = new Queue<T>(count);
        for (int i = 0; i < count; i++) queue.Enqueue(_element.Read(ref reader));
        reader.Exit();
        return queue;
    }
}

/// <summary>Stack&lt;T&gt;: marker, count, elements top to bottom (enumeration order), pushed back bottom first.</summary>
internal sealed class StackCodec<T> : ClassCodec<Stack<T>>
{
    private Codec<T> _element = null!;

    public override void Initialize() => _element = Elements.Resolve<T>(typeof(Stack<T>));

    public override void WriteBody(ref GridWriter writer, Stack<T> value)
    {
        writer.Enter(typeof(Stack<T>));
        Elements.Write(ref writer, _element, value, value.Count, typeof(Stack<T>));
        writer.Exit();
    }

    public override Stack<T> ReadBody(ref GridReader reader)
    {
        reader.Enter();
        var items = new T[reader.ReadCount(_element.MinSize)];
        for (int i = 0; i < items.Length; i++) items[i] = _element.Read(ref reader);
        var stack = new Stack<T>(items.Length);
        for (int i = items.Length - 1; i >= 0; i--) stack.Push(items[i]);
        reader.Exit();
        return stack;
    }
}

/// <summary>
/// Any other class implementing ICollection&lt;T&gt; with a public parameterless constructor
/// (SortedDictionary, SortedSet, SortedList, LinkedList, ObservableCollection, user collections…):
/// marker, count, elements; rebuilt with new() and Add.
/// </summary>
internal sealed class CollectionCodec<TCollection, T> : ClassCodec<TCollection> where TCollection : class, ICollection<T>, new()
{
    private Codec<T> _element = null!;

    public override void Initialize() => _element = Elements.Resolve<T>(typeof(TCollection));

    public override void WriteBody(ref GridWriter writer, TCollection value)
    {
        writer.Enter(typeof(TCollection));
        Elements.Write(ref writer, _element, value, value.Count, typeof(TCollection));
        writer.Exit();
    }

    public override TCollection ReadBody(ref GridReader reader)
    {
        reader.Enter();
        int count = reader.ReadCount(_element.MinSize);
        var collection = new TCollection();
        for (int i = 0; i < count; i++) collection.Add(_element.Read(ref reader));
        reader.Exit();
        return collection;
    }
}

/// <summary>Shared element handling of the collection codecs.</summary>
internal static class Elements
{
    public static Codec<T> Resolve<T>(Type collection)
    {
        try { return (Codec<T>)CodecRegistry.ForDeclared(typeof(T)); }
        catch (UnsupportedTypeException e) { throw e.In(collection, "[]"); }
    }

    /// <summary>Count, then each element; fails if the collection changes while it is written.</summary>
    public static void Write<T>(ref GridWriter writer, Codec<T> element, IEnumerable<T> items, int count, Type collection)
    {
        writer.WriteVarUInt((uint)count);
        int written = 0;
        try
        {
            foreach (var item in items)
            {
                if (++written > count) break;
                element.Write(ref writer, item);
            }
        }
        catch (UnsupportedTypeException e) { throw e.In(collection, "[]"); }
        if (written != count)
            throw new GridSerializationException(
                $"The {TypeNames.Full(collection)} changed while Grid was serializing it ({count} elements counted, {written} enumerated); do not modify a value while passing it.");
    }
}

/// <summary>The string comparers that can travel: a code each; anything else becomes the default comparer.</summary>
internal static class Comparers
{
    public static byte Code<T>(IEqualityComparer<T> comparer)
    {
        if (typeof(T) != typeof(string) || ReferenceEquals(comparer, EqualityComparer<T>.Default)) return 0;
        object c = comparer;
        if (ReferenceEquals(c, StringComparer.Ordinal)) return 1;
        if (ReferenceEquals(c, StringComparer.OrdinalIgnoreCase)) return 2;
        if (ReferenceEquals(c, StringComparer.InvariantCulture)) return 3;
        if (ReferenceEquals(c, StringComparer.InvariantCultureIgnoreCase)) return 4;
        return 0;
    }

    public static IEqualityComparer<T>? FromCode<T>(byte code) => code switch
    {
        0 => null,
        >= 1 and <= 4 when typeof(T) == typeof(string) => (IEqualityComparer<T>)(object)(code switch
        {
            1 => StringComparer.Ordinal,
            2 => StringComparer.OrdinalIgnoreCase,
            3 => StringComparer.InvariantCulture,
            _ => StringComparer.InvariantCultureIgnoreCase,
        }),
        _ => throw GridReader.Corrupt($"unknown comparer code {code}"),
    };
}
