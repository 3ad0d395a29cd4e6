using Grid.Core;
using System.Linq.Expressions;
using System.Reflection;

namespace Grid;

/// <summary>
/// Reads actor constructor and method-call expressions: which member, and the argument values.
/// Arguments are evaluated without compiling where possible (constants and captured variables),
/// because compiling an expression per call would dominate the cost of a small actor call.
/// </summary>
internal static class CallExpressions
{
    private static readonly MethodInfo AsArgDefinition = typeof(ObjectRef<>).GetMethod(nameof(ObjectRef<int>.AsArg))!;

    public static (MethodInfo Method, TaskArgument[] Args) ParseMethodCall(LambdaExpression call)
    {
        if (call.Body is not MethodCallExpression m || m.Object != call.Parameters[0])
            throw new ArgumentException($"An actor call must be a single method call on the actor, like a => a.Increment(); got '{call.Body}'.", nameof(call));
        return (m.Method, Arguments(m.Arguments, m.Method.GetParameters()));
    }

    public static (ConstructorInfo Constructor, TaskArgument[] Args) ParseConstructor(LambdaExpression create)
    {
        if (create.Body is not NewExpression n || n.Constructor is null)
            throw new ArgumentException($"An actor is created from a constructor call, like () => new Counter(0); got '{create.Body}'. Property initializers are not supported: pass the values to a constructor.", nameof(create));
        return (n.Constructor, Arguments(n.Arguments, n.Constructor.GetParameters()));
    }

    private static TaskArgument[] Arguments(IReadOnlyList<Expression> expressions, ParameterInfo[] parameters)
    {
        var args = new TaskArgument[expressions.Count];
        for (var i = 0; i < args.Length; i++)
        {
            var e = expressions[i];
            if (e is MethodCallExpression { Object: { } target } call && call.Method.IsGenericMethod is false
                && call.Method.DeclaringType is { IsGenericType: true } dt && dt.GetGenericTypeDefinition() == typeof(ObjectRef<>)
                && call.Method.Name == AsArgDefinition.Name)
            {
                args[i] = TaskArgument.Of((ObjectRef)(Evaluate(target) ?? throw new ArgumentNullException(parameters[i].Name, "A null ObjectRef was passed with AsArg().")));
                continue;
            }
            args[i] = TaskArgument.Of(Evaluate(e), parameters[i].ParameterType);
        }
        return args;
    }

    private static object? Evaluate(Expression e) => e switch
    {
        ConstantExpression c => c.Value,
        UnaryExpression { NodeType: ExpressionType.Convert } u when u.Operand.Type.IsValueType == false && u.Type.IsAssignableFrom(u.Operand.Type) => Evaluate(u.Operand),
        MemberExpression { Member: FieldInfo f } m => f.GetValue(m.Expression is null ? null : Evaluate(m.Expression)),
        MemberExpression { Member: PropertyInfo p } m when p.GetIndexParameters().Length == 0 => p.GetValue(m.Expression is null ? null : Evaluate(m.Expression)),
        _ => Expression.Lambda(e).Compile(preferInterpretation: true).DynamicInvoke(),
    };
}
