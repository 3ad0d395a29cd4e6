using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Grid.Wire;

namespace Grid.Functions;

/// <summary>
/// Turns delegates and methods into <see cref="FunctionDescriptor"/>s on the submitting side, and
/// descriptors back into invokable methods where they run. Lambdas are accepted when they capture
/// nothing: then their body is a method of a compiler-generated singleton, which exists everywhere.
/// </summary>
internal static class FunctionCatalog
{
    private static readonly ConcurrentDictionary<MethodBase, FunctionDescriptor> Descriptors = new();
    private static readonly ConcurrentDictionary<FunctionDescriptor, RemoteMethod> Resolved = new();
    /// <summary>Descriptors made here and their methods: the submitting side resolves without looking names up.</summary>
    private static readonly ConcurrentDictionary<FunctionDescriptor, MethodBase> Described = new();

    /// <summary>Describes a delegate, refusing ones that capture state.</summary>
    public static FunctionDescriptor DescribeDelegate(Delegate function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (function.GetInvocationList().Length != 1)
            throw new CapturingLambdaException("A multicast delegate cannot run remotely; pass a single static method or lambda.");
        var method = function.Method;
        var target = function.Target;
        if (target is not null && !IsCaptureFreeClosure(target.GetType()))
        {
            // The closure holds every variable captured by any lambda of its scope: name only those this one uses.
            var captured = CapturedVariables.Of(method);
            var what = captured.Count > 0 ? $"captures {string.Join(", ", captured)}" : $"is bound to an instance of {target.GetType().Name}";
            throw new CapturingLambdaException(
                $"The function {Display(method)} {what}, and captured state cannot travel to another node. " +
                "Make it a static method or a 'static' lambda and pass the values it needs as arguments (or use an actor for state).");
        }
        return Describe(method);
    }

    public static FunctionDescriptor Describe(MethodBase method) =>
        Descriptors.TryGetValue(method, out var known) ? known : Descriptors.GetOrAdd(method, static m =>
    {
        var type = m.DeclaringType ?? throw new UnknownFunctionException($"{m.Name} has no declaring type; only methods of types can run remotely.");
        if (type.IsGenericTypeDefinition || m.ContainsGenericParameters)
            throw new UnknownFunctionException($"{Display(m)} is an open generic method; close its type arguments first.");
        var descriptor = new FunctionDescriptor(type.AssemblyQualifiedName!, m.Name, m.MetadataToken, m.GetParameters().Length, Display(m));
        Described.TryAdd(descriptor, m);
        return descriptor;
    });

    /// <summary>Finds the method a descriptor names, with its cached invoker (in the default load context).</summary>
    public static RemoteMethod Resolve(FunctionDescriptor descriptor, Func<string, Type?>? typeResolver = null) =>
        Resolved.TryGetValue(descriptor, out var m) ? m : Resolved.GetOrAdd(descriptor, ResolveCore(descriptor, typeResolver, "on this node"));

    /// <summary>
    /// Resolves without the process-wide cache, for callers that keep their own (a job whose code
    /// lives in its own load context: the same descriptor names another method in another job).
    /// <paramref name="where"/> says where it looked, for the error.
    /// </summary>
    public static RemoteMethod ResolveUncached(FunctionDescriptor descriptor, Func<string, Type?> typeResolver, string where) =>
        ResolveCore(descriptor, typeResolver, where);

    /// <summary>Forgets the functions of <paramref name="context"/>'s assemblies, so that the (unloaded) context can be collected.</summary>
    public static void Forget(AssemblyLoadContext context)
    {
        foreach (var (method, descriptor) in Descriptors)
        {
            if (method.DeclaringType is { } type && AssemblyLoadContext.GetLoadContext(type.Assembly) == context)
            {
                Descriptors.TryRemove(method, out _);
                Described.TryRemove(KeyValuePair.Create(descriptor, method));
            }
        }
        foreach (var (descriptor, resolved) in Resolved)
            if (resolved.Method.DeclaringType is { } type && AssemblyLoadContext.GetLoadContext(type.Assembly) == context)
                Resolved.TryRemove(descriptor, out _);
    }

    private static RemoteMethod ResolveCore(FunctionDescriptor d, Func<string, Type?>? typeResolver, string where)
    {
        // The submitting side has the method in hand: no name lookup (its assembly may live in a
        // load context that Type.GetType does not search).
        if (typeResolver is null && Described.TryGetValue(d, out var described)) return new RemoteMethod(described);
        var type = typeResolver?.Invoke(d.TypeName) ?? Type.GetType(d.TypeName, throwOnError: false)
            ?? throw new UnknownFunctionException(
                $"Cannot find type '{TypePart(d.TypeName)}' of assembly '{AssemblyPart(d.TypeName)}' for {d.DisplayName} {where}. " +
                "Make sure the assembly that defines it is shipped with the job (GridClientOptions.Code.Assemblies) or deployed on the nodes.");
        MethodBase? method = null;
        try { method = type.Module.ResolveMethod(d.MetadataToken); }
        catch (ArgumentException) { }
        if (method is null || method.Name != d.MethodName || method.DeclaringType != type)
            method = type.GetMember(d.MethodName, MemberTypes.Method | MemberTypes.Constructor,
                    BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
                .OfType<MethodBase>().SingleOrDefault(x => x.GetParameters().Length == d.ParameterCount);
        if (method is null)
            throw new UnknownFunctionException(
                $"Cannot find {d.DisplayName} ({d.ParameterCount} parameters) in {type.FullName} of assembly '{type.Assembly.GetName().Name}' {where}; " +
                "the node may run another build of that assembly.");
        if (method.GetParameters().Length != d.ParameterCount)
            throw new UnknownFunctionException($"{d.DisplayName} takes {method.GetParameters().Length} arguments, but the call passed {d.ParameterCount}.");
        return new RemoteMethod(method);
    }

    private static string TypePart(string assemblyQualifiedName)
    {
        var comma = TopLevelComma(assemblyQualifiedName);
        return comma < 0 ? assemblyQualifiedName : assemblyQualifiedName[..comma].Trim();
    }

    private static string AssemblyPart(string assemblyQualifiedName)
    {
        var comma = TopLevelComma(assemblyQualifiedName);
        if (comma < 0) return "?";
        var rest = assemblyQualifiedName[(comma + 1)..];
        var end = rest.IndexOf(',');
        return (end < 0 ? rest : rest[..end]).Trim();
    }

    // The comma after the type name, skipping those inside generic arguments ("List`1[[A, B]], C").
    private static int TopLevelComma(string name)
    {
        var depth = 0;
        for (var i = 0; i < name.Length; i++)
        {
            switch (name[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case ',' when depth == 0: return i;
            }
        }
        return -1;
    }

    /// <summary>A compiler-generated closure class with no instance fields: a non-capturing lambda's home.</summary>
    internal static bool IsCaptureFreeClosure(Type t) =>
        t.IsDefined(typeof(CompilerGeneratedAttribute), false)
        && t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0;

    public static string Display(MethodBase m)
    {
        var type = m.DeclaringType;
        // Lambdas live in "<>c" inside the type that wrote them: show that type and "lambda".
        while (type is not null && type.IsDefined(typeof(CompilerGeneratedAttribute), false) && type.DeclaringType is not null)
            type = type.DeclaringType;
        var name = m.Name.StartsWith('<') ? "lambda" + m.Name[m.Name.IndexOf('>')..].Replace(">b__", "#", StringComparison.Ordinal) : m.Name;
        return m is ConstructorInfo ? $"new {type?.Name}" : $"{type?.Name}.{name}";
    }
}
