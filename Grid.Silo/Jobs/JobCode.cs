using System.Collections.Concurrent;
using System.Runtime.Loader;
using Grid.Functions;
using Grid.Jobs;
using Grid.Serialization;
using Grid.Wire;

namespace Grid.Silo.Jobs;

/// <summary>
/// The code of one job on this node: its load context, the functions resolved in it (cached per
/// descriptor: the same descriptor may name another method in another job's build), and the actors
/// of the job hosted here, which die with it.
/// </summary>
internal sealed class JobCode
{
    private readonly ConcurrentDictionary<FunctionDescriptor, RemoteMethod> _functions = new();
    private readonly ConcurrentDictionary<ActorId, byte> _actors = new();
    private readonly string _where;
    private JobLoadContext? _context;

    internal JobCode(JobId job, string package, JobLoadContext context)
    {
        Job = job;
        Package = package;
        _context = context;
        _where = $"in the code of job {job} (package {package[..Math.Min(12, package.Length)]}: {string.Join(", ", context.AssemblyNames.Order())})";
    }

    public JobId Job { get; }
    /// <summary>The content hash of the job's code package.</summary>
    public string Package { get; }
    internal ActorId[] Actors => _actors.Keys.ToArray();

    private JobLoadContext Context => _context ?? throw new UnknownFunctionException($"The code of job {Job} was unloaded: the job has ended.");

    /// <summary>The method a descriptor names in this job's code.</summary>
    public RemoteMethod Resolve(FunctionDescriptor descriptor) =>
        _functions.TryGetValue(descriptor, out var method) ? method : _functions.GetOrAdd(descriptor, ResolveCore(descriptor));

    private RemoteMethod ResolveCore(FunctionDescriptor descriptor)
    {
        var context = Context;
        return FunctionCatalog.ResolveUncached(descriptor, name => TypeIn(context, name), _where);
    }

    private static Type? TypeIn(AssemblyLoadContext context, string assemblyQualifiedName)
    {
        try
        {
            return Type.GetType(assemblyQualifiedName, name =>
            {
                try { return context.LoadFromAssemblyName(name); }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { return null; }
            }, typeResolver: null, throwOnError: false);
        }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException or TypeLoadException)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes type names (Grid serializer, Type.GetType, Assembly.Load) resolve in this job's code
    /// for the current async flow, until disposed.
    /// </summary>
    public AssemblyLoadContext.ContextualReflectionScope Enter() => Context.EnterContextualReflection();

    internal void AddActor(ActorId actor) => _actors.TryAdd(actor, 0);

    internal void RemoveActor(ActorId actor) => _actors.TryRemove(actor, out _);

    /// <summary>A weak reference to the load context, to watch it being collected.</summary>
    internal WeakReference? WatchContext() => _context is { } context ? new WeakReference(context) : null;

    /// <summary>Forgets everything cached about the job's types and unloads its context (collected once nothing uses it).</summary>
    internal void Unload()
    {
        var context = Interlocked.Exchange(ref _context, null);
        if (context is null) return;
        _functions.Clear();
        GridSerializer.ForgetLoadContext(context);
        FunctionCatalog.Forget(context);
        context.Unload();
    }

    // ---- helpers for the executor and actor host: the default context costs nothing extra -------

    /// <summary>Resolves in <paramref name="code"/>, or in the default context when the job shipped no code.</summary>
    public static RemoteMethod Resolve(JobCode? code, FunctionDescriptor descriptor) =>
        code is null ? FunctionCatalog.Resolve(descriptor) : code.Resolve(descriptor);

    /// <summary>Enters <paramref name="code"/>'s context; a no-op scope when the job shipped no code.</summary>
    public static AssemblyLoadContext.ContextualReflectionScope Enter(JobCode? code) => code is null ? default : code.Enter();
}
