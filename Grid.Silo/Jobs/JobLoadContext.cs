using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Grid.Jobs;

namespace Grid.Silo.Jobs;

/// <summary>
/// A job's own, collectible assembly load context. It holds the job's shipped assemblies; everything
/// else (the framework, Orleans, Microsoft.Extensions, Grid, and any assembly the package lacks)
/// comes from the node's default context, so Grid's types are the same on both sides and a job's
/// ObjectRef, GridContext and exceptions are the ones the node knows.
/// </summary>
internal sealed class JobLoadContext : AssemblyLoadContext
{
    private readonly Dictionary<string, Assembly> _assemblies = new(StringComparer.OrdinalIgnoreCase);

    public JobLoadContext(JobId job, IEnumerable<PackagedAssembly> package) : base($"grid-job-{job}", isCollectible: true)
    {
        // Loaded up front, so the package bytes can be dropped at once (the runtime keeps its own copy
        // of each image); loading an assembly does not load its references.
        foreach (var assembly in package)
        {
            if (SharedAssemblies.IsShared(assembly.Name) || _assemblies.ContainsKey(assembly.Name)) continue;
            using var image = AsStream(assembly.Image);
            using var symbols = assembly.Symbols.IsEmpty ? null : AsStream(assembly.Symbols);
            _assemblies[assembly.Name] = LoadFromStream(image, symbols);
        }
    }

    public IReadOnlyCollection<string> AssemblyNames => _assemblies.Keys;

    protected override Assembly? Load(AssemblyName name) =>
        name.Name is { } simple && !SharedAssemblies.IsShared(simple) && _assemblies.TryGetValue(simple, out var assembly) ? assembly : null;

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
