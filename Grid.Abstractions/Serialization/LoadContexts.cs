using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Grid.Serialization;

/// <summary>
/// Type names resolved inside a job's own assembly load context. A silo runs the work of a job that
/// shipped its code under that job's context (<see cref="AssemblyLoadContext.EnterContextualReflection()"/>),
/// so a name like "MyApp.Order, MyApp" means that job's build of MyApp, and two jobs with different
/// builds of the same assembly never see each other's types. Each context has its own name cache,
/// which goes away with the context.
/// </summary>
internal static class LoadContexts
{
    private static readonly ConditionalWeakTable<AssemblyLoadContext, ConcurrentDictionary<string, Type>> Caches = [];

    /// <summary>The job context this code runs under, or null for the default context (the cheap, common case).</summary>
    public static AssemblyLoadContext? Current =>
        AssemblyLoadContext.CurrentContextualReflectionContext is { } context && context != AssemblyLoadContext.Default ? context : null;

    public static Type? Resolve(AssemblyLoadContext context, string name, Func<string, Type?>? hook)
    {
        var cache = Caches.GetOrCreateValue(context);
        if (cache.TryGetValue(name, out var type)) return type;
        // Type.GetType loads assemblies through the contextual context; the scan is limited to the
        // job's context and the default one, never another job's.
        type = hook?.Invoke(name) ?? GridSerializer.GetType(name)
            ?? GridSerializer.ScanLoadedAssemblies(name, context.Assemblies.Concat(AssemblyLoadContext.Default.Assemblies));
        if (type is not null) cache.TryAdd(name, type);
        return type;
    }

    public static void Forget(AssemblyLoadContext context) => Caches.Remove(context);

    /// <summary>Whether <paramref name="type"/> (or an element or type argument of it) comes from <paramref name="context"/>.</summary>
    public static bool Involves(Type type, AssemblyLoadContext context)
    {
        if (type.HasElementType) return Involves(type.GetElementType()!, context);
        if (AssemblyLoadContext.GetLoadContext(type.Assembly) == context) return true;
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
                if (Involves(argument, context)) return true;
        }
        return false;
    }
}

internal sealed partial class GridSerializer
{
    /// <summary>
    /// Forgets every codec, type encoding and resolved name that involves a type of
    /// <paramref name="context"/>, so that a collectible context can be collected after it is
    /// unloaded. Call it when a job's code is dropped; values of those types must not be in flight.
    /// </summary>
    public static void ForgetLoadContext(AssemblyLoadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        bool Unloaded(Type t) => LoadContexts.Involves(t, context);
        CodecRegistry.Forget(Unloaded);
        TypeIdentity.Forget(Unloaded);
        TypeFacts.Forget(Unloaded);
        LoadContexts.Forget(context);
    }
}
