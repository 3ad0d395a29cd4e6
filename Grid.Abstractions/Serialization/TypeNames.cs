using System.Text;

namespace Grid.Serialization;

/// <summary>C#-like type names for error messages: "System.Collections.Generic.List&lt;Job&gt;" rather than "List`1[[…]]".</summary>
internal static class TypeNames
{
    /// <summary>With namespaces, e.g. System.Action or System.Func&lt;System.Int32&gt;.</summary>
    public static string Full(Type type) => Format(type, qualified: true);

    /// <summary>Without namespaces, e.g. Job or List&lt;Job&gt;.</summary>
    public static string Short(Type type) => Format(type, qualified: false);

    private static string Format(Type type, bool qualified)
    {
        var sb = new StringBuilder();
        Append(sb, type, qualified);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, Type type, bool qualified)
    {
        if (type.IsArray)
        {
            Append(sb, type.GetElementType()!, qualified);
            sb.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }
        if (type.IsPointer || type.IsByRef)
        {
            Append(sb, type.GetElementType()!, qualified);
            sb.Append(type.IsPointer ? '*' : '&');
            return;
        }
        if (type.IsGenericParameter)
        {
            sb.Append(type.Name);
            return;
        }
        if (type.IsNested)
        {
            Append(sb, type.DeclaringType!, qualified);
            sb.Append('.');
        }
        else if (qualified && !string.IsNullOrEmpty(type.Namespace))
        {
            sb.Append(type.Namespace).Append('.');
        }
        var name = type.Name;
        int tick = name.IndexOf('`');
        sb.Append(tick >= 0 ? name[..tick] : name);
        if (type.IsGenericType)
        {
            // Only the arguments that belong to this (possibly nested) type, not to its declaring types.
            var args = type.GetGenericArguments();
            int inherited = type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0;
            if (args.Length > inherited)
            {
                sb.Append('<');
                for (int i = inherited; i < args.Length; i++)
                {
                    if (i > inherited) sb.Append(", ");
                    Append(sb, args[i], qualified);
                }
                sb.Append('>');
            }
        }
    }

    /// <summary>A field's name as the user wrote it: "Name" for an auto-property's "&lt;Name&gt;k__BackingField".</summary>
    public static string MemberName(string fieldName)
    {
        if (fieldName.Length > 0 && fieldName[0] == '<')
        {
            int end = fieldName.IndexOf('>');
            if (end > 1) return fieldName[1..end];
        }
        return fieldName;
    }
}
