namespace Grid.Serialization;

/// <summary>
/// An <see cref="ObjectRef{T}"/> anywhere in a value (a ref nested in a list stays a ref): marker,
/// the id's two ulongs, and the owner's GrainId as text ("" for none). Read back bound to the
/// resolver given to Deserialize, so the receiving process can await it. Its resolver is never
/// written: it is a live object of the sending process.
/// </summary>
internal sealed class ObjectRefCodec<T> : ClassCodec<ObjectRef<T>>
{
    public override void WriteBody(ref GridWriter writer, ObjectRef<T> value)
    {
        writer.WriteUnmanaged(value.Id.Hi);
        writer.WriteUnmanaged(value.Id.Lo);
        writer.WriteString(OwnerText.Format(value.Owner));
        NestedRefCollector.Current?.Add(value);
    }

    public override ObjectRef<T> ReadBody(ref GridReader reader)
    {
        var id = new ObjectId(reader.ReadUnmanaged<ulong>(), reader.ReadUnmanaged<ulong>());
        var owner = OwnerText.Parse(reader.ReadStringBytes(out bool isNull), isNull);
        var reference = new ObjectRef<T>(id, owner, reader.Resolver);
        DeserializedRefScope.Current?.Add(reference);
        return reference;
    }
}

/// <summary>
/// GrainId ⇄ text, remembering the last one each way: a process sees few owners (itself and the
/// driver), and refs are on the hot path, so this saves formatting, parsing and allocating.
/// </summary>
internal static class OwnerText
{
    private sealed record Entry(GrainId Id, string Text, byte[] Utf8);

    private static volatile Entry? s_lastFormatted;
    private static volatile Entry? s_lastParsed;

    public static string Format(GrainId owner)
    {
        if (owner.IsDefault) return string.Empty;
        var last = s_lastFormatted;
        if (last is not null && last.Id.Equals(owner)) return last.Text;
        var text = owner.ToString();
        s_lastFormatted = new Entry(owner, text, []);
        return text;
    }

    public static GrainId Parse(ReadOnlySpan<byte> utf8, bool isNull)
    {
        if (isNull || utf8.IsEmpty) return default;
        var last = s_lastParsed;
        if (last is not null && utf8.SequenceEqual(last.Utf8)) return last.Id;
        var text = System.Text.Encoding.UTF8.GetString(utf8);
        if (!GrainId.TryParse(text, out var id))
            throw GridReader.Corrupt($"'{text}' is not a GrainId");
        s_lastParsed = new Entry(id, text, utf8.ToArray());
        return id;
    }
}

/// <summary>
/// Collects the refs written while serializing one value, so a submitter can learn which refs a
/// task argument carries nested inside it (to ship what it knows of the ones it owns).
/// </summary>
public static class NestedRefCollector
{
    [ThreadStatic] private static List<ObjectRef>? t_current;

    internal static List<ObjectRef>? Current => t_current;

    /// <summary>Collects into <paramref name="refs"/> until the returned scope is disposed (same thread).</summary>
    public static Scope Begin(List<ObjectRef> refs)
    {
        var previous = t_current;
        t_current = refs;
        return new Scope(previous);
    }

    public readonly struct Scope(List<ObjectRef>? previous) : IDisposable
    {
        public void Dispose() => t_current = previous;
    }
}

/// <summary>
/// Collects the refs deserialized while a scope is open in this async flow, weakly: an actor host learns which refs
/// its actor received, to release them when the actor dies (the actor's own fields may keep them alive until the
/// garbage collector runs, which can be long after).
/// </summary>
public sealed class DeserializedRefScope
{
    private static readonly AsyncLocal<DeserializedRefScope?> s_current = new();
    private readonly List<WeakReference<ObjectRef>> _refs = [];
    private readonly Lock _lock = new();

    internal static DeserializedRefScope? Current => s_current.Value;

    /// <summary>Makes this scope collect the refs deserialized in the current async flow until the returned handle is disposed.</summary>
    public Restore Enter()
    {
        var previous = s_current.Value;
        s_current.Value = this;
        return new Restore(previous);
    }

    internal void Add(ObjectRef reference)
    {
        lock (_lock)
        {
            if (_refs.Count > 64 && _refs.Count % 64 == 0) _refs.RemoveAll(w => !w.TryGetTarget(out _)); // forget collected ones
            _refs.Add(new WeakReference<ObjectRef>(reference));
        }
    }

    /// <summary>Disposes every collected ref that is still alive (its reference is released now, not at collection).</summary>
    public int DisposeAll()
    {
        WeakReference<ObjectRef>[] refs;
        lock (_lock)
        {
            refs = [.. _refs];
            _refs.Clear();
        }
        var disposed = 0;
        foreach (var w in refs)
            if (w.TryGetTarget(out var r) && !r.IsDisposed) { r.Dispose(); disposed++; }
        return disposed;
    }

    public readonly struct Restore(DeserializedRefScope? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
