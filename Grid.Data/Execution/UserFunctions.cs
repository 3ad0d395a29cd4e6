using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Grid.Functions;
using Grid.Serialization;
using Grid.Wire;

namespace Grid.Data.Execution;

/// <summary>
/// A dataset's user functions where they run: a descriptor made on the driver, resolved in the job's code (the load
/// context a node runs the job's work under) and turned into a typed delegate once per job and function.
/// </summary>
internal static class UserFunctions
{
    private static readonly ConditionalWeakTable<AssemblyLoadContext, ConcurrentDictionary<FunctionDescriptor, RemoteMethod>> InJobs = [];

    /// <summary>Describes a function on the driver; a lambda that captures variables is refused (<see cref="CapturingLambdaException"/>).</summary>
    public static FunctionDescriptor Describe(Delegate function) => FunctionCatalog.DescribeDelegate(function);

    /// <summary>The method a descriptor names, in the code of the job this thread works for.</summary>
    public static RemoteMethod Resolve(FunctionDescriptor descriptor)
    {
        if (LoadContexts.Current is not { } context) return FunctionCatalog.Resolve(descriptor);
        var cache = InJobs.GetOrCreateValue(context);
        return cache.TryGetValue(descriptor, out var known) ? known : cache.GetOrAdd(descriptor, d =>
            FunctionCatalog.ResolveUncached(d, name => LoadContexts.Resolve(context, name, null), "in the job's code"));
    }

    /// <summary>A delegate of type <paramref name="delegateType"/> calling the method (on its closure singleton for a lambda).</summary>
    public static Delegate CreateDelegate(RemoteMethod method, Type delegateType) =>
        Delegate.CreateDelegate(delegateType, method.ClosureSingleton, (MethodInfo)method.Method);

    /// <summary>The T of the IEnumerable&lt;T&gt; a type is or implements.</summary>
    public static Type ElementType(Type enumerable) =>
        (enumerable.IsGenericType && enumerable.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? enumerable
            : enumerable.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
        ?.GetGenericArguments()[0] ?? throw new DataException($"{enumerable} is not an IEnumerable<T>: a FlatMap or batch function returns a sequence of rows.");
}
