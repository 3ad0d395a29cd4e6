using System.Runtime.CompilerServices;

namespace Grid.Serialization;

/// <summary>
/// Primitives, enums, decimal, DateTime, DateTimeOffset, TimeSpan, Guid, Unit and any struct without
/// references: the value's memory, copied as is. Both ends run the same .NET on little-endian
/// hardware, so the layout matches.
/// </summary>
internal sealed class UnmanagedCodec<T> : Codec<T>, IRawCodec where T : struct
{
    public override int MinSize => Unsafe.SizeOf<T>();
    public override void Write(ref GridWriter writer, T value) => writer.WriteUnmanaged(value);
    public override T Read(ref GridReader reader) => reader.ReadUnmanaged<T>();
}

/// <summary>UTF-8 with its length (+1, so 0 means null) in front.</summary>
internal sealed class StringCodec : ClassCodec<string>
{
    public override void Write(ref GridWriter writer, string value) => writer.WriteString(value);
    public override string Read(ref GridReader reader) => reader.ReadString()!;
    public override void WriteBody(ref GridWriter writer, string value) => writer.WriteString(value);
    public override string ReadBody(ref GridReader reader) =>
        reader.ReadString() ?? throw GridReader.Corrupt("a string that must not be null is null");
}

/// <summary>A presence byte, then the value.</summary>
internal sealed class NullableCodec<T> : Codec<T?> where T : struct
{
    private Codec<T> _value = null!;

    public override void Initialize() => _value = (Codec<T>)CodecRegistry.ForDeclared(typeof(T));

    public override void Write(ref GridWriter writer, T? value)
    {
        if (value is { } v)
        {
            writer.WriteByte(1);
            _value.Write(ref writer, v);
        }
        else
        {
            writer.WriteByte(0);
        }
    }

    public override T? Read(ref GridReader reader) => reader.ReadByte() switch
    {
        0 => null,
        1 => _value.Read(ref reader),
        var b => throw GridReader.Corrupt($"a Nullable presence byte is {b}"),
    };
}

/// <summary>A System.Type value, written as its type identity (the same encoding polymorphic values use).</summary>
internal sealed class TypeCodec(Type runtimeType) : ClassCodec<Type>(runtimeType)
{
    public override void WriteBody(ref GridWriter writer, Type value)
    {
        if (value.ContainsGenericParameters || value.IsByRef || value.IsPointer)
            throw UnsupportedTypes.Exception(value, "only closed, non-pointer types can be sent as Type values.");
        writer.WriteBytes(TypeIdentity.Encode(value));
    }

    public override Type ReadBody(ref GridReader reader) => TypeIdentity.Decode(ref reader);
}

/// <summary>A Uri as its original string and whether it is absolute (its internal fields are caches).</summary>
internal sealed class UriCodec : ClassCodec<Uri>
{
    public override void WriteBody(ref GridWriter writer, Uri value)
    {
        writer.WriteByte(value.IsAbsoluteUri ? (byte)1 : (byte)0);
        writer.WriteString(value.OriginalString);
    }

    public override Uri ReadBody(ref GridReader reader)
    {
        var kind = reader.ReadByte() == 1 ? UriKind.Absolute : UriKind.Relative;
        return new Uri(reader.ReadString() ?? throw GridReader.Corrupt("a Uri is null"), kind);
    }
}
