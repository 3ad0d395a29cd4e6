using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Grid.Functions;

/// <summary>
/// A resolved method with a compiled invoker (no reflection per call) that also awaits Task and
/// ValueTask results, so async functions complete remotely and return their value.
/// </summary>
internal sealed class RemoteMethod
{
    private readonly Func<object?, object?[], object?> _invoke;
    private readonly Func<object, Task<object?>>? _await;

    public RemoteMethod(MethodBase method)
    {
        Method = method;
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        CancellationParameter = Array.LastIndexOf(ParameterTypes, typeof(CancellationToken));
        var returnType = method is MethodInfo mi ? mi.ReturnType : method.DeclaringType!;
        (ResultType, _await) = Unwrap(returnType);
        _invoke = Compile(method);
        // Non-capturing lambdas are instance methods of a compiler-generated singleton ("<>9").
        if (!method.IsStatic && method is MethodInfo && FunctionCatalog.IsCaptureFreeClosure(method.DeclaringType!))
            ClosureSingleton = method.DeclaringType!.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(null);
    }

    public MethodBase Method { get; }
    public Type[] ParameterTypes { get; }
    /// <summary>
    /// The index of the method's CancellationToken parameter (its last one, if several), or -1: the caller sends nothing
    /// there, and the node passes the run's own token, cancelled by Grid's cancel.
    /// </summary>
    public int CancellationParameter { get; }
    /// <summary>What the caller gets: T for Task&lt;T&gt;, <see cref="Unit"/> for void and Task.</summary>
    public Type ResultType { get; }
    public object? ClosureSingleton { get; }
    public bool IsStaticFunction => Method.IsStatic || ClosureSingleton is not null;

    private ActorMethodAttribute? _actorMethod;
    private bool _actorMethodRead;

    /// <summary>The method's <see cref="ActorMethodAttribute"/> (its retry defaults and concurrency group), read once, on first use.</summary>
    public ActorMethodAttribute? ActorMethod
    {
        get
        {
            if (!Volatile.Read(ref _actorMethodRead))
            {
                _actorMethod = Method.GetCustomAttributes(typeof(ActorMethodAttribute), inherit: true).OfType<ActorMethodAttribute>().FirstOrDefault();
                Volatile.Write(ref _actorMethodRead, true);
            }
            return _actorMethod;
        }
    }

    /// <summary>Invokes on <paramref name="target"/> (null for static functions) and awaits async results.</summary>
    public ValueTask<object?> InvokeAsync(object? target, object?[] args)
    {
        var result = _invoke(target ?? ClosureSingleton, args);
        if (_await is null) return new ValueTask<object?>(ResultType == typeof(Unit) ? Unit.Value : result);
        return new ValueTask<object?>(_await(result ?? throw new InvalidOperationException($"{FunctionCatalog.Display(Method)} returned a null Task.")));
    }

    private static Func<object?, object?[], object?> Compile(MethodBase method)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var ps = method.GetParameters();
        var argExprs = ps.Select((p, i) => (Expression)Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType)).ToArray();
        Expression call = method switch
        {
            ConstructorInfo ctor => Expression.New(ctor, argExprs),
            MethodInfo m when m.IsStatic => Expression.Call(m, argExprs),
            MethodInfo m => Expression.Call(Expression.Convert(target, m.DeclaringType!), m, argExprs),
            _ => throw new NotSupportedException(method.ToString()),
        };
        Expression body = call.Type == typeof(void)
            ? Expression.Block(call, Expression.Constant(null, typeof(object)))
            : Expression.Convert(call, typeof(object));
        return Expression.Lambda<Func<object?, object?[], object?>>(body, target, args).Compile();
    }

    private static (Type, Func<object, Task<object?>>?) Unwrap(Type t)
    {
        if (t == typeof(void)) return (typeof(Unit), null);
        if (t == typeof(Task) || t == typeof(ValueTask))
            return (typeof(Unit), t == typeof(Task) ? AwaitTask : o => AwaitTask(((ValueTask)o).AsTask()));
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var inner = t.GetGenericArguments()[0];
            var m = typeof(RemoteMethod).GetMethod(nameof(AwaitTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(inner);
            return (inner, m.CreateDelegate<Func<object, Task<object?>>>());
        }
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var inner = t.GetGenericArguments()[0];
            var m = typeof(RemoteMethod).GetMethod(nameof(AwaitValueTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(inner);
            return (inner, m.CreateDelegate<Func<object, Task<object?>>>());
        }
        return (t, null);
    }

    private static async Task<object?> AwaitTask(object task) { await ((Task)task).ConfigureAwait(false); return Unit.Value; }
    private static async Task<object?> AwaitTaskOf<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);
    private static async Task<object?> AwaitValueTaskOf<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);
}
