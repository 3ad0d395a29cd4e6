using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Grid.Serialization;

/// <summary>Reads a field through a ref, so a struct owner is not copied per field.</summary>
internal delegate TField FieldGetter<TOwner, TField>(ref TOwner owner);

/// <summary>Writes a field through a ref (for a class owner, the ref is to the variable holding it).</summary>
internal delegate void FieldSetter<TOwner, TField>(ref TOwner owner, TField value);

/// <summary>
/// Field access compiled once per field, so serializing does no reflection. Getters are compiled
/// expression trees. Setters are emitted IL (<c>stfld</c>) because expression trees refuse to assign
/// readonly fields, and records, init-only properties and readonly structs are all readonly fields;
/// a DynamicMethod that skips visibility checks may store into them. Where code cannot be generated
/// (NativeAOT), both fall back to reflection.
/// </summary>
internal static class FieldAccessors
{
    public static FieldGetter<TOwner, TField> Getter<TOwner, TField>(FieldInfo field)
    {
        if (RuntimeFeature.IsDynamicCodeSupported)
        {
            try
            {
                var owner = Expression.Parameter(typeof(TOwner).MakeByRefType(), "owner");
                return Expression.Lambda<FieldGetter<TOwner, TField>>(Expression.Field(owner, field), owner).Compile();
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
            {
                // fall through to reflection
            }
        }
        return new ReflectionAccess<TOwner, TField>(field).Get;
    }

    public static FieldSetter<TOwner, TField> Setter<TOwner, TField>(FieldInfo field)
    {
        if (RuntimeFeature.IsDynamicCodeSupported)
        {
            try
            {
                var method = new DynamicMethod(
                    $"set_{field.DeclaringType?.Name}_{field.Name}", typeof(void),
                    [typeof(TOwner).MakeByRefType(), typeof(TField)], restrictedSkipVisibility: true);
                var il = method.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                if (!typeof(TOwner).IsValueType) il.Emit(OpCodes.Ldind_Ref); // the object, not the variable
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Stfld, field);
                il.Emit(OpCodes.Ret);
                return method.CreateDelegate<FieldSetter<TOwner, TField>>();
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
            {
                // fall through to reflection
            }
        }
        return new ReflectionAccess<TOwner, TField>(field).Set;
    }

    /// <summary>The slow path: FieldInfo.GetValue/SetValue (SetValueDirect for struct owners, which writes in place).</summary>
    private sealed class ReflectionAccess<TOwner, TField>(FieldInfo field)
    {
        public TField Get(ref TOwner owner) => (TField)field.GetValue(owner)!;

        public void Set(ref TOwner owner, TField value)
        {
            if (typeof(TOwner).IsValueType) field.SetValueDirect(__makeref(owner), value!);
            else field.SetValue(owner, value);
        }
    }
}
