using System.Runtime.InteropServices;

namespace Grid.Jobs;

/// <summary>
/// Assemblies every node has and that must be the same everywhere so that types unify: the .NET
/// shared framework, Orleans, Microsoft.Extensions and Grid itself. A client never ships them, and a
/// job's load context on a node always takes them from the node's default context.
/// </summary>
internal static class SharedAssemblies
{
    private static readonly string[] Exact =
    [
        "mscorlib", "netstandard", "System", "WindowsBase", "Microsoft.CSharp", "Microsoft.VisualBasic", "Microsoft.VisualBasic.Core",
        "Grid.Abstractions", "Grid.Client", "Grid.Core", "Grid.ObjectStore", "Grid.Silo",
        // A node carries TorchSharp with its libtorch (Grid.Inference): a job's tensors are the node's type, and the
        // managed side always matches the native one.
        "Grid.Inference", "TorchSharp",
        // And Grid.Data with Arrow and ParquetSharp: a job's blocks are the node's RecordBatch type, and the node's
        // data tasks (reads, writes, fused transforms, exchanges) are Grid.Data's own code.
        "Grid.Data", "Apache.Arrow", "ParquetSharp",
    ];

    private static readonly string[] Prefixes =
    [
        "System.", "Microsoft.Win32.", "Microsoft.NETCore.", "Microsoft.Extensions.", "Microsoft.AspNetCore.", "Microsoft.Orleans.", "Orleans.",
    ];

    private static readonly string FrameworkDirectory = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());

    /// <summary>Whether the assembly with this simple name is one every node shares.</summary>
    public static bool IsShared(string? simpleName)
    {
        if (string.IsNullOrEmpty(simpleName)) return true;
        foreach (var name in Exact)
            if (string.Equals(name, simpleName, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var prefix in Prefixes)
            if (simpleName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Whether a file belongs to the installed .NET runtime (a framework assembly under another name).</summary>
    public static bool IsFrameworkFile(string path) =>
        Path.GetFullPath(path).StartsWith(FrameworkDirectory, StringComparison.Ordinal);
}
