namespace Grid.Serialization;

/// <summary>
/// An <see cref="ObjectRef{T}"/> anywhere in a value (a ref nested in a list stays a ref): marker,
/// the id's two ulongs, and the owner: a varint tag, 0 for none, 1 for "the owner of the previous ref
/// in this value", else 2 + the length of the owner's GrainId as UTF-8 text, then that text. A value
/// holding many refs mostly names one or two owners, so 10,000 refs cost ~190 KB instead of ~600 KB.
/// Read back bound to the resolver given to Deserialize, so the receiving process can await it; the
/// refs of one value share one lifetime (see <see cref="RefBatch"/>). Its resolver is never written:
/// it is a live object of the sending process.
/// </summary>
internal sealed class ObjectRefCodec<T> : ClassCodec<ObjectRef<T>>
{
    private const uint NoOwner = 0, SameOwner = 1, OwnerText = 2;

    public override void WriteBody(ref GridWriter writer, ObjectRef<T> value)
    {
        writer.WriteUnmanaged(value.Id.Hi);
        writer.WriteUnmanaged(value.Id.Lo);
        if (value.Owner.IsDefault) writer.WriteVarUInt(NoOwner);
        else if (writer.SameOwnerAsLast(value.Owner)) writer.WriteVarUInt(SameOwner);
        else
        {
            var utf8 = Serialization.OwnerText.Format(value.Owner);
            writer.WriteVarUInt((uint)utf8.Length + OwnerText);
            writer.WriteBytes(utf8);
        }
        NestedRefCollector.Current?.Add(value);
    }

    public override ObjectRef<T> ReadBody(ref GridReader reader)
    {
        var id = new ObjectId(reader.ReadUnmanaged<ulong>(), reader.ReadUnmanaged<ulong>());
        var tag = reader.ReadVarUInt();
        GrainId owner;
        if (tag == NoOwner) owner = default;
        else if (tag == SameOwner)
            owner = reader.LastOwner.IsDefault ? throw GridReader.Corrupt("a ref names the previous ref's owner, but no ref before it has one") : reader.LastOwner;
        else reader.LastOwner = owner = Serialization.OwnerText.Parse(reader.ReadBytes(reader.CheckedLength(tag - OwnerText)));
        var reference = reader.BindRef<T>(id, owner);
        DeserializedRefScope.Current?.Add(reference);
        return reference;
    }
}

/// <summary>
/// GrainId ⇄ UTF-8 text, remembering the last one each way: a process sees few owners (itself and the
/// driver), and refs are on the hot path, so this saves formatting, parsing and allocating.
/// </summary>
internal static class OwnerText
{
    private sealed record Entry(GrainId Id, byte[] Utf8);

    private static volatile Entry? s_lastFormatted;
    private static volatile Entry? s_lastParsed;

    public static ReadOnlySpan<byte> Format(GrainId owner)
    {
        var last = s_lastFormatted;
        if (last is not null && last.Id.Equals(owner)) return last.Utf8;
        var utf8 = System.Text.Encoding.UTF8.GetBytes(owner.ToString());
        s_lastFormatted = new Entry(owner, utf8);
        return utf8;
    }

    public static GrainId Parse(ReadOnlySpan<byte> utf8)
    {
        var last = s_lastParsed;
        if (last is not null && utf8.SequenceEqual(last.Utf8)) return last.Id;
        var text = System.Text.Encoding.UTF8.GetString(utf8);
        if (!GrainId.TryParse(text, out var id) || id.IsDefault)
            throw GridReader.Corrupt($"'{text}' is not a GrainId");
        s_lastParsed = new Entry(id, utf8.ToArray());
        return id;
    }
}

/// <summary>
/// Collects the refs written while serializing one value, so a submitter can learn which refs a
/// task argument carries nested inside it (to ship what it knows of the ones it owns).
/// </summary>
internal static class NestedRefCollector
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
internal sealed class DeserializedRefScope
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
