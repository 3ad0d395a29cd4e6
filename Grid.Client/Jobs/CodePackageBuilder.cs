using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;

namespace Grid.Jobs;

/// <summary>The files a job ships, found from its root assemblies, and the package built from them.</summary>
internal sealed class CodePackageBuilder
{
    // Hash per exact set of files (path, size, write time): a second client of the same build in
    // this process need not read and hash the files again to learn that the GCS has them.
    private static readonly ConcurrentDictionary<string, string> KnownHashes = new(StringComparer.Ordinal);

    private CodePackageBuilder(IReadOnlyList<string> files) => Files = files;

    /// <summary>The assembly files to ship, roots first.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Simple names of the shipped assemblies.</summary>
    public IEnumerable<string> AssemblyNames => Files.Select(Path.GetFileNameWithoutExtension)!;

    /// <summary>
    /// Collects <paramref name="roots"/> (or the entry assembly) and their dependencies that are not
    /// shared (<see cref="SharedAssemblies"/>), found among the loaded assemblies or next to the
    /// assembly that references them. Dependencies found nowhere are assumed to be on the nodes.
    /// </summary>
    public static CodePackageBuilder Collect(IReadOnlyList<Assembly> roots)
    {
        if (roots.Count == 0 && Assembly.GetEntryAssembly() is { } entry) roots = [entry];
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<string>();
        foreach (var root in roots)
        {
            if (string.IsNullOrEmpty(root.Location))
                throw new ArgumentException($"Assembly {root.GetName().Name} was not loaded from a file, so Grid cannot ship it; load it from a file or deploy it on the nodes.");
            if (seen.Add(root.GetName().Name!)) pending.Enqueue(root.Location);
        }
        while (pending.TryDequeue(out var file))
        {
            files.Add(file);
            foreach (var reference in References(file))
            {
                if (SharedAssemblies.IsShared(reference.Name) || !seen.Add(reference.Name!)) continue;
                if (Locate(reference, file) is { } found && !SharedAssemblies.IsFrameworkFile(found)) pending.Enqueue(found);
            }
        }
        return new CodePackageBuilder(files);
    }

    /// <summary>The cached hash of this exact set of files, when this process built their package before.</summary>
    public string? KnownHash => KnownHashes.GetValueOrDefault(Fingerprint());

    /// <summary>Reads the files (and their .pdb symbols, for remote stack traces with lines) into a package.</summary>
    public (byte[] Package, string Hash) Build()
    {
        var assemblies = Files.Select(f =>
        {
            var pdb = Path.ChangeExtension(f, ".pdb");
            return new PackagedAssembly(Path.GetFileNameWithoutExtension(f), File.ReadAllBytes(f), File.Exists(pdb) ? File.ReadAllBytes(pdb) : default);
        }).ToArray();
        var package = CodePackage.Write(assemblies);
        var hash = CodePackage.Hash(package);
        KnownHashes[Fingerprint()] = hash;
        return (package, hash);
    }

    private string Fingerprint() => string.Join('|', Files.Order(StringComparer.Ordinal).Select(f =>
    {
        var info = new FileInfo(f);
        return $"{info.FullName}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
    }));

    private static AssemblyName[] References(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata) return [];
            var metadata = pe.GetMetadataReader();
            return metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h).GetAssemblyName()).ToArray();
        }
        catch (BadImageFormatException)
        {
            return [];
        }
    }

    private static string? Locate(AssemblyName reference, string referencedBy)
    {
        // Prefer a copy already loaded (in the referencing assembly's context, then anywhere).
        var loaded = AssemblyLoadContext.All.SelectMany(c => c.Assemblies)
            .Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location) && AssemblyName.ReferenceMatchesDefinition(reference, a.GetName()))
            .OrderByDescending(a => string.Equals(Path.GetDirectoryName(a.Location), Path.GetDirectoryName(referencedBy), StringComparison.Ordinal))
            .FirstOrDefault();
        if (loaded is not null) return loaded.Location;
        var sibling = Path.Combine(Path.GetDirectoryName(referencedBy)!, reference.Name + ".dll");
        return File.Exists(sibling) ? sibling : null;
    }
}
