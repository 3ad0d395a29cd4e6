using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Grid.Functions;

/// <summary>
/// Names the variables a lambda really captures. The C# compiler puts every variable captured by any lambda of a
/// scope into one closure class, so the closure's fields name the variables of all of them; the lambda's own body
/// (its IL, and its state machine's for an async lambda) reads only the fields it uses. Closures of enclosing scopes
/// are reached through link fields (themselves closures), which are followed, not named.
/// </summary>
internal static class CapturedVariables
{
    private static readonly OpCode[] OneByte = new OpCode[0x100];
    private static readonly OpCode[] TwoByte = new OpCode[0x100];

    static CapturedVariables()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            var value = (ushort)op.Value;
            if (value < 0x100) OneByte[value] = op;
            else if ((value & 0xff00) == 0xfe00) TwoByte[value & 0xff] = op;
        }
    }

    /// <summary>The captured variables <paramref name="method"/> reads or writes, in order of first use ("this" for the enclosing instance).</summary>
    public static IReadOnlyList<string> Of(MethodInfo method)
    {
        var names = new List<string>();
        Collect(method, names);
        if (method.GetCustomAttribute<StateMachineAttribute>() is { StateMachineType: { } machine }
            && machine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } moveNext)
            Collect(moveNext, names);
        return names;
    }

    private static void Collect(MethodInfo method, List<string> names)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return;
        foreach (var token in FieldTokens(il))
        {
            FieldInfo field;
            try
            {
                field = method.Module.ResolveField(token, method.DeclaringType?.GetGenericArguments(), method.GetGenericArguments())!;
            }
            catch (ArgumentException)
            {
                continue; // not a field of this module's closures
            }
            if (field.IsStatic || !IsClosure(field.DeclaringType) || IsClosure(field.FieldType)) continue;
            var name = field.Name.Contains("__this", StringComparison.Ordinal) ? "this" : field.Name;
            if (!names.Contains(name)) names.Add(name);
        }
    }

    /// <summary>A compiler-generated closure class (a "display class").</summary>
    private static bool IsClosure(Type? type) =>
        type is not null && type.IsDefined(typeof(CompilerGeneratedAttribute), false) && type.Name.Contains("DisplayClass", StringComparison.Ordinal);

    /// <summary>The metadata tokens of every field instruction (ldfld, ldflda, stfld) in a method body.</summary>
    private static IEnumerable<int> FieldTokens(byte[] il)
    {
        var i = 0;
        while (i < il.Length)
        {
            OpCode op;
            if (il[i] == 0xfe && i + 1 < il.Length) { op = TwoByte[il[i + 1]]; i += 2; }
            else op = OneByte[il[i++]];
            if (op.OperandType == OperandType.InlineField && i + 4 <= il.Length
                && (op == OpCodes.Ldfld || op == OpCodes.Ldflda || op == OpCodes.Stfld))
                yield return BitConverter.ToInt32(il, i);
            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
