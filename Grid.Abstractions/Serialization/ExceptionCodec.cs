using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Grid.Serialization;

/// <summary>
/// An exception: what System.Exception holds (message, stack trace, HResult, inner exception, Data)
/// plus the fields its derived classes declare. Exceptions often carry things that cannot travel
/// (a Task, a handle, a delegate), so Data entries and derived fields are each written as a
/// separate length-prefixed value and skipped when they fail, by name so that the reader matches
/// them up; the rest of the exception still arrives.
/// </summary>
/// <remarks>
/// Layout after the marker: raw message, stack trace, HResult, inner exception (polymorphic),
/// Data count + (key blob, value blob)…, field count + (name, blob)…. Not a hot path: reflection is fine.
/// </remarks>
internal sealed class ExceptionCodec<T> : ClassCodec<T> where T : Exception
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>Fields declared by classes between T and System.Exception.</summary>
    private static readonly Dictionary<string, FieldInfo> DerivedFields =
        TypeFacts.InstanceFields(typeof(T), stopAt: typeof(Exception))
            .GroupBy(f => f.DeclaringType == typeof(T) ? f.Name : $"{f.DeclaringType!.Name}.{f.Name}")
            .ToDictionary(g => g.Key, g => g.First());

    private Codec<Exception> _inner = null!;

    public override void Initialize() => _inner = (Codec<Exception>)CodecRegistry.ForDeclared(typeof(Exception));

    public override void WriteBody(ref GridWriter writer, T value)
    {
        writer.Enter(typeof(T));
        writer.WriteString(ExceptionBuilder.RawMessage(value));
        writer.WriteString(value.StackTrace);
        writer.WriteUnmanaged(value.HResult);
        _inner.Write(ref writer, value.InnerException!);
        WriteData(ref writer, value);
        WriteFields(ref writer, value);
        writer.Exit();
    }

    private static void WriteData(ref GridWriter writer, T value)
    {
        var entries = new List<(byte[] Key, byte[] Value)>();
        IDictionary? data = null;
        try { data = value.Data; } catch (Exception e) when (e is not OutOfMemoryException) { }
        if (data is not null)
        {
            foreach (DictionaryEntry entry in data)
            {
                if (TrySerialize(writer.Serializer, entry.Key, typeof(object)) is { } key
                    && TrySerialize(writer.Serializer, entry.Value, typeof(object)) is { } item)
                    entries.Add((key, item));
            }
        }
        writer.WriteVarUInt((uint)entries.Count);
        foreach (var (key, item) in entries)
        {
            WriteBlob(ref writer, key);
            WriteBlob(ref writer, item);
        }
    }

    private static void WriteFields(ref GridWriter writer, T value)
    {
        var fields = new List<(string Name, byte[] Value)>();
        foreach (var (name, field) in DerivedFields)
        {
            if (TrySerialize(writer.Serializer, field.GetValue(value), field.FieldType) is { } bytes) fields.Add((name, bytes));
        }
        writer.WriteVarUInt((uint)fields.Count);
        foreach (var (name, bytes) in fields)
        {
            writer.WriteString(name);
            WriteBlob(ref writer, bytes);
        }
    }

    private static byte[]? TrySerialize(GridSerializer serializer, object? value, Type declared)
    {
        try { return serializer.Serialize(value, declared); }
        catch (Exception e) when (e is GridSerializationException or UnsupportedTypeException or NotSupportedException or InvalidOperationException)
        {
            return null; // this part cannot travel; the rest of the exception still does
        }
    }

    private static void WriteBlob(ref GridWriter writer, byte[] bytes)
    {
        writer.WriteVarUInt((uint)bytes.Length);
        writer.WriteBytes(bytes);
    }

    public override T ReadBody(ref GridReader reader)
    {
        reader.Enter();
        var message = reader.ReadString();
        var stackTrace = reader.ReadString();
        int hresult = reader.ReadUnmanaged<int>();
        var inner = _inner.Read(ref reader);

        var data = new List<(object Key, object? Value)>();
        int dataCount = reader.ReadCount(2);
        for (int i = 0; i < dataCount; i++)
        {
            var key = TryDeserialize(ref reader, reader.ReadBlob(), typeof(object));
            var item = TryDeserialize(ref reader, reader.ReadBlob(), typeof(object));
            if (key is not null && key != Failed && item != Failed) data.Add((key, item));
        }

        var fields = new List<(FieldInfo Field, object? Value)>();
        int fieldCount = reader.ReadCount(2);
        for (int i = 0; i < fieldCount; i++)
        {
            var name = reader.ReadString() ?? throw GridReader.Corrupt("an exception field has no name");
            var blob = reader.ReadBlob();
            if (DerivedFields.TryGetValue(name, out var field) && TryDeserialize(ref reader, blob, field.FieldType) is var value && value != Failed)
                fields.Add((field, value));
        }
        reader.Exit();

        var exception = (T)ExceptionBuilder.Create(typeof(T), message, inner);
        ExceptionBuilder.SetHResult(exception, hresult);
        foreach (var (field, value) in fields)
        {
            try { field.SetValue(exception, value); }
            catch (ArgumentException) { } // the value does not fit this build of the type: keep the default
        }
        foreach (var (key, value) in data)
        {
            try { exception.Data[key] = value; }
            catch (ArgumentException) { }
        }
        ExceptionBuilder.SetRemoteStackTrace(exception, stackTrace);
        return exception;
    }

    /// <summary>Returned by <see cref="TryDeserialize"/> for a part that cannot be read here (e.g. its type is missing).</summary>
    private static readonly object Failed = new();

    private static object? TryDeserialize(ref GridReader reader, ReadOnlyMemory<byte> blob, Type type)
    {
        try { return reader.Serializer.Deserialize(blob, type, reader.Resolver); }
        catch (GridSerializationException) { return Failed; }
    }
}

/// <summary>Rebuilds exceptions of a given type (used by <see cref="ExceptionCodec{T}"/> and <see cref="GridSerializer.ToException"/>).</summary>
internal static class ExceptionBuilder
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    // System.Exception's own state. _message holds what the constructor was given; Message may be
    // overridden to add to it (ArgumentException appends the parameter name), so the raw field is
    // what travels, and Message on the copy computes the same text. Absent on other runtimes.
    private static readonly FieldInfo? MessageField = typeof(Exception).GetField("_message", Instance);
    private static readonly FieldInfo? InnerField = typeof(Exception).GetField("_innerException", Instance);
    private static readonly FieldInfo? HResultField = typeof(Exception).GetField("_HResult", Instance);

    public static string RawMessage(Exception exception) => MessageField?.GetValue(exception) as string ?? exception.Message;

    /// <summary>
    /// A <paramref name="type"/> with this message and inner exception: through its (message) or
    /// (message, inner) constructor, else without running any constructor; then the message and
    /// inner exception fields are set directly, whatever the constructor did with its arguments
    /// (ArgumentNullException(string) takes a parameter name, not a message).
    /// </summary>
    public static Exception Create(Type type, string? message, Exception? inner)
    {
        Exception? exception = null;
        try
        {
            var withInner = type.GetConstructor(Instance, [typeof(string), typeof(Exception)]);
            var withMessage = type.GetConstructor(Instance, [typeof(string)]);
            if (inner is not null && withInner is not null) exception = (Exception)withInner.Invoke([message, inner]);
            else if (withMessage is not null) exception = (Exception)withMessage.Invoke([message]);
            else if (withInner is not null) exception = (Exception)withInner.Invoke([message, null]);
        }
        catch (TargetInvocationException)
        {
            // the constructor rejected its arguments: build it without one
        }
        exception ??= (Exception)RuntimeHelpers.GetUninitializedObject(type);
        if (MessageField is not null && message is not null) MessageField.SetValue(exception, message);
        if (InnerField is not null && inner is not null) InnerField.SetValue(exception, inner);
        return exception;
    }

    public static void SetHResult(Exception exception, int hresult) => HResultField?.SetValue(exception, hresult);

    /// <summary>Where it was thrown remotely; StackTrace shows it first. Allowed because the copy was never thrown.</summary>
    public static void SetRemoteStackTrace(Exception exception, string? stackTrace)
    {
        if (string.IsNullOrEmpty(stackTrace)) return;
        try { ExceptionDispatchInfo.SetRemoteStackTrace(exception, stackTrace); }
        catch (InvalidOperationException) { }
    }
}
