using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Grid.Silo;

/// <summary>
/// Lets a generic node run tasks and actors whose assemblies were installed on it beforehand: when a
/// task names a type from an assembly the node does not have, the default load context looks for
/// <c>NAME.dll</c> in these directories (<c>grid start --code-path DIR</c>, or <c>GRID_CODE_PATH</c>).
/// Code a client ships with its job does not need this.
/// </summary>
internal static class CodePathProbing
{
    public const string EnvironmentVariable = "GRID_CODE_PATH";

    private static readonly ConcurrentDictionary<string, bool> Directories = new(StringComparer.Ordinal);
    private static int _hooked;

    /// <summary>Adds directories to probe (idempotent); also those listed in <c>GRID_CODE_PATH</c> (separated by the path separator).</summary>
    public static ISiloBuilder UseGridCodePath(this ISiloBuilder silo, IEnumerable<string> directories)
    {
        AddDirectories(directories);
        return silo;
    }

    public static void AddDirectories(IEnumerable<string> directories)
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var dir in directories.Concat(fromEnvironment))
        {
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException($"The code path '{dir}' does not exist; give a directory that holds your task assemblies.");
            Directories.TryAdd(Path.GetFullPath(dir), true);
        }
        if (!Directories.IsEmpty && Interlocked.Exchange(ref _hooked, 1) == 0)
            AssemblyLoadContext.Default.Resolving += Resolve;
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        foreach (var dir in Directories.Keys)
        {
            var path = Path.Combine(dir, name.Name + ".dll");
            if (File.Exists(path)) return context.LoadFromAssemblyPath(path);
        }
        return null;
    }
}
