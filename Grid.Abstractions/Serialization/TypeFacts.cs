using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Grid.Serialization;

/// <summary>Reflection questions the codec factory asks about a type (answered once per type, at codec build time).</summary>
internal static class TypeFacts
{
    private static readonly ConcurrentDictionary<Type, bool> Unmanaged = new();
    private static readonly MethodInfo ContainsReferences =
        typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!;

    public static void Forget(Func<Type, bool> unloaded)
    {
        foreach (var type in Unmanaged.Keys)
            if (unloaded(type)) Unmanaged.TryRemove(type, out _);
    }

    /// <summary>A value type without references, copyable as raw memory (pointer fields are rejected separately).</summary>
    public static bool IsUnmanaged(Type type) =>
        type.IsValueType && !type.IsByRefLike && !type.ContainsGenericParameters
        && Unmanaged.GetOrAdd(type, static t => !(bool)ContainsReferences.MakeGenericMethod(t).Invoke(null, null)!);

    /// <summary>
    /// Whether a slot declared as <paramref name="declared"/> can hold a value of another runtime type,
    /// so the value must carry its type: object, interfaces, abstract and non-sealed classes, and
    /// arrays whose elements could be of a derived type (array covariance).
    /// </summary>
    public static bool NeedsTypeTag(Type declared)
    {
        if (declared.IsValueType) return false;
        if (declared.IsArray)
        {
            var element = declared.GetElementType()!;
            return !element.IsValueType && NeedsTypeTag(element);
        }
        return !declared.IsSealed;
    }

    /// <summary>
    /// Every instance field, base classes first, each class's fields in declaration order. Fields
    /// marked [NonSerialized] are left out (and come back as default).
    /// </summary>
    public static List<FieldInfo> InstanceFields(Type type, Type? stopAt = null)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object) && t != stopAt; t = t.BaseType) chain.Add(t);
        chain.Reverse();
        var fields = new List<FieldInfo>();
        foreach (var t in chain)
        {
            fields.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => !IsNonSerialized(f))
                .OrderBy(f => f.MetadataToken));
        }
        return fields;
    }

    // [NonSerialized] is the familiar way to keep a field out of a serialized value. The flag is
    // marked obsolete only because BinaryFormatter is; Grid reads it as an opt-out marker.
#pragma warning disable SYSLIB0050
    private static bool IsNonSerialized(FieldInfo field) => (field.Attributes & FieldAttributes.NotSerialized) != 0;
#pragma warning restore SYSLIB0050

    /// <summary>
    /// Throws, naming the member path, if an unmanaged struct holds a pointer or IntPtr anywhere:
    /// raw-copying it would send an address that means nothing elsewhere.
    /// </summary>
    public static void RejectPointerFields(Type type)
    {
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var ft = field.FieldType;
            if (ft.IsPrimitive && ft != typeof(IntPtr) && ft != typeof(UIntPtr)) continue;
            if (ft.IsEnum) continue;
            if (UnsupportedTypes.Reason(ft) is { } reason)
                throw UnsupportedTypes.Exception(ft, reason).In(type, "." + TypeNames.MemberName(field.Name));
            if (ft.IsValueType && ft != type)
            {
                try { RejectPointerFields(ft); }
                catch (UnsupportedTypeException e) { throw e.In(type, "." + TypeNames.MemberName(field.Name)); }
            }
        }
    }

    public static bool IsCompilerGenerated(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
            if (t.IsDefined(typeof(CompilerGeneratedAttribute), false) || t.Name.StartsWith('<')) return true;
        return false;
    }

    /// <summary>The T of the single IEnumerable&lt;T&gt; a type implements, or null.</summary>
    public static Type? EnumerableElement(Type type)
    {
        Type? element = null;
        foreach (var i in type.GetInterfaces())
        {
            if (!i.IsGenericType || i.GetGenericTypeDefinition() != typeof(IEnumerable<>)) continue;
            if (element is not null) return null;
            element = i.GetGenericArguments()[0];
        }
        return element;
    }

    /// <summary>The T of the single ICollection&lt;T&gt; a type implements, or null.</summary>
    public static Type? CollectionElement(Type type)
    {
        Type? element = null;
        foreach (var i in type.GetInterfaces())
        {
            if (!i.IsGenericType || i.GetGenericTypeDefinition() != typeof(ICollection<>)) continue;
            if (element is not null) return null;
            element = i.GetGenericArguments()[0];
        }
        return element;
    }

    public static bool HasPublicParameterlessConstructor(Type type) =>
        !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null;
}
