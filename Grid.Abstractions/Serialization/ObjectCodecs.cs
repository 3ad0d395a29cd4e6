using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Grid.Serialization;

/// <summary>
/// Classes (records, POCOs, tuples) written as every instance field, base classes first, with no
/// markup on the type and no constructor needed: reading allocates with
/// RuntimeHelpers.GetUninitializedObject and stores the fields, readonly ones included. A marker
/// byte (null or not) precedes the fields.
/// </summary>
/// <remarks>
/// Values are trees: an object referenced twice is written twice and read back as two copies, and
/// a cycle fails (see <see cref="GridWriter.Enter"/>). Fields marked [NonSerialized] are skipped and
/// come back as default.
/// </remarks>
internal sealed class ClassObjectCodec<T> : ClassCodec<T> where T : class
{
    private MemberCodec<T>[] _members = [];

    public override void Initialize() => _members = ObjectMembers.Build<T>();

    public override void WriteBody(ref GridWriter writer, T value)
    {
        writer.Enter(typeof(T));
        foreach (var member in _members) member.Write(ref writer, ref value);
        writer.Exit();
    }

    public override T ReadBody(ref GridReader reader)
    {
        reader.Enter();
        var value = (T)RuntimeHelpers.GetUninitializedObject(typeof(T));
        foreach (var member in _members) member.Read(ref reader, ref value);
        reader.Exit();
        return value;
    }
}

/// <summary>
/// Structs with references (record structs, KeyValuePair&lt;string, X&gt;, ValueTuple with a string…):
/// every instance field, no marker. Structs without references use <see cref="UnmanagedCodec{T}"/>.
/// </summary>
internal sealed class StructCodec<T> : Codec<T> where T : struct
{
    private MemberCodec<T>[] _members = [];
    private int _minSize = -1;

    public override void Initialize() => _members = ObjectMembers.Build<T>();

    // Summed lazily: when Initialize runs, a member's codec may still be pending.
    public override int MinSize => _minSize >= 0 ? _minSize : _minSize = Math.Max(1, _members.Sum(m => m.MinSize));

    public override void Write(ref GridWriter writer, T value)
    {
        foreach (var member in _members) member.Write(ref writer, ref value);
    }

    public override T Read(ref GridReader reader)
    {
        T value = default;
        foreach (var member in _members) member.Read(ref reader, ref value);
        return value;
    }
}

/// <summary>One field of a <typeparamref name="TOwner"/>: its compiled accessors and its codec.</summary>
internal abstract class MemberCodec<TOwner>
{
    public abstract int MinSize { get; }
    public abstract void Write(ref GridWriter writer, ref TOwner owner);
    public abstract void Read(ref GridReader reader, ref TOwner owner);
}

internal sealed class MemberCodec<TOwner, TField>(FieldInfo field, Codec codec) : MemberCodec<TOwner>
{
    private readonly FieldGetter<TOwner, TField> _get = FieldAccessors.Getter<TOwner, TField>(field);
    private readonly FieldSetter<TOwner, TField> _set = FieldAccessors.Setter<TOwner, TField>(field);
    private readonly Codec<TField> _codec = (Codec<TField>)codec;
    private readonly string _segment = "." + TypeNames.MemberName(field.Name);

    public override int MinSize => _codec.MinSize;

    public override void Write(ref GridWriter writer, ref TOwner owner)
    {
        try
        {
            _codec.Write(ref writer, _get(ref owner));
        }
        catch (UnsupportedTypeException e)
        {
            // A value of an unsupported runtime type in a field declared as object/interface/base.
            throw e.In(typeof(TOwner), _segment);
        }
    }

    public override void Read(ref GridReader reader, ref TOwner owner) => _set(ref owner, _codec.Read(ref reader));
}

internal static class ObjectMembers
{
    /// <summary>A member codec per serialized field of <typeparamref name="T"/>; throws naming the field when one is unsupported.</summary>
    public static MemberCodec<T>[] Build<T>()
    {
        var members = new List<MemberCodec<T>>();
        foreach (var field in TypeFacts.InstanceFields(typeof(T)))
        {
            Codec codec;
            try { codec = CodecRegistry.ForDeclared(field.FieldType); }
            catch (UnsupportedTypeException e) { throw e.In(typeof(T), "." + TypeNames.MemberName(field.Name)); }
            try
            {
                var type = typeof(MemberCodec<,>).MakeGenericType(typeof(T), field.FieldType);
                members.Add((MemberCodec<T>)Activator.CreateInstance(type, field, codec)!);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
            }
        }
        return members.ToArray();
    }
}
