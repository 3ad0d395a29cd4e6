namespace Grid.Serialization;

/// <summary>
/// Writes and reads the values of one type. Built once per type by <see cref="CodecRegistry"/> and
/// shared by all threads, so codecs hold no per-call state: everything per call lives in the
/// <see cref="GridWriter"/>/<see cref="GridReader"/>.
/// </summary>
/// <remarks>
/// Two encodings exist for a type: the value "as declared" (<see cref="WriteBoxed"/>; for reference
/// types it includes null) and the "body" that follows a polymorphic type tag (the value is known
/// to be non-null and of exactly <see cref="Type"/>, so no null marker is needed).
/// </remarks>
internal abstract class Codec
{
    protected Codec(Type type) => Type = type;

    public Type Type { get; }

    /// <summary>
    /// The fewest bytes one value takes. Counts read from untrusted input are checked against the
    /// bytes left divided by this, which bounds allocations by the input's size.
    /// </summary>
    public virtual int MinSize => 1;

    /// <summary>
    /// Called once after the codec is registered, still under the registry lock: resolve child
    /// codecs here, not in the constructor, because a child may be this very codec (recursive types).
    /// </summary>
    public virtual void Initialize() { }

    /// <summary>Drops what this codec cached about types for which <paramref name="unloaded"/> is true (their load context is going away).</summary>
    public virtual void ForgetTypes(Func<Type, bool> unloaded) { }

    public abstract void WriteBoxed(ref GridWriter writer, object? value);
    public abstract object? ReadBoxed(ref GridReader reader);
    public abstract void WriteBoxedBody(ref GridWriter writer, object value);
    public abstract object ReadBoxedBody(ref GridReader reader);
}

/// <summary>A codec with typed entry points, so values of value types are never boxed.</summary>
internal abstract class Codec<T> : Codec
{
    protected Codec() : base(typeof(T)) { }
    protected Codec(Type exactType) : base(exactType) { }

    public abstract void Write(ref GridWriter writer, T value);
    public abstract T Read(ref GridReader reader);

    public override void WriteBoxed(ref GridWriter writer, object? value) => Write(ref writer, (T)value!);
    public override object? ReadBoxed(ref GridReader reader) => Read(ref reader);
    // For value types the body is the whole encoding (there is no null to mark).
    public override void WriteBoxedBody(ref GridWriter writer, object value) => Write(ref writer, (T)value);
    public override object ReadBoxedBody(ref GridReader reader) => Read(ref reader)!;
}

/// <summary>
/// A codec of a reference type: a one-byte marker (0 null, 1 value) before the body, unless the
/// codec folds null into a length prefix itself (strings, arrays override <see cref="Write"/>).
/// </summary>
internal abstract class ClassCodec<T> : Codec<T> where T : class
{
    protected ClassCodec() { }
    protected ClassCodec(Type exactType) : base(exactType) { }

    public abstract void WriteBody(ref GridWriter writer, T value);
    public abstract T ReadBody(ref GridReader reader);

    public override void Write(ref GridWriter writer, T value)
    {
        if (value is null)
        {
            writer.WriteByte(0);
            return;
        }
        writer.WriteByte(1);
        WriteBody(ref writer, value);
    }

    public override T Read(ref GridReader reader) => reader.ReadByte() switch
    {
        0 => null!,
        1 => ReadBody(ref reader),
        var b => throw GridReader.Corrupt($"a null marker of {TypeNames.Full(typeof(T))} is {b}"),
    };

    public override void WriteBoxedBody(ref GridWriter writer, object value) => WriteBody(ref writer, (T)value);
    public override object ReadBoxedBody(ref GridReader reader) => ReadBody(ref reader);
}
