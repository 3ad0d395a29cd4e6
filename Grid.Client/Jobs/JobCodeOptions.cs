using System.Reflection;

namespace Grid.Jobs;

/// <summary>Which application code a client ships with its job (cluster mode only; the embedded mode ships nothing).</summary>
public sealed class JobCodeOptions
{
    /// <summary>Ship the job's assemblies on connect. Turn off when every node already has the application deployed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The assemblies to ship (with their non-shared dependencies found next to them). Empty means
    /// the entry assembly. Each must have been loaded from a file.
    /// </summary>
    public List<Assembly> Assemblies { get; set; } = [];

    /// <summary>Bytes per upload message; packages travel in chunks because Orleans refuses messages over 100 MB.</summary>
    public int UploadChunkSize { get; set; } = 4 * 1024 * 1024;
}
