using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grid.Hosting;

/// <summary>
/// Where the <c>grid</c> command keeps its state on this machine (pid files, logs, the head's Redis data, and the
/// current-cluster file): <c>GRID_STATE_DIR</c>, else <c>$XDG_RUNTIME_DIR/grid</c>, else <c>~/.grid</c>. It is per
/// user (each user's nodes, clusters and <c>grid stop</c> are their own) and readable by its user only (0700): it
/// holds the cluster password and logs.
/// </summary>
internal static class GridStateDirectory
{
    public const string EnvironmentVariable = "GRID_STATE_DIR";

    /// <summary>rwx for the owner only: the mode of the state directory and every directory in it.</summary>
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Path =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir ? System.IO.Path.GetFullPath(dir)
        : Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? System.IO.Path.Combine(runtime, "grid")
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".grid");

    /// <summary>Creates <paramref name="directory"/> (and missing parents) readable by its owner only.</summary>
    public static string CreatePrivate(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, PrivateDirectoryMode);
        return directory;
    }

    /// <summary>The file that names the cluster whose head was started on this machine (Ray's current-cluster file).</summary>
    public static string CurrentClusterFile => System.IO.Path.Combine(Path, "current-cluster.json");
}

/// <summary>The cluster a head started on this machine leads: what "auto" connects to.</summary>
internal sealed record CurrentCluster
{
    /// <summary>The cluster address, "host:port" of its Redis.</summary>
    public required string Address { get; init; }
    public string? Password { get; init; }
    public string ClusterId { get; init; } = GridClientOptions.DefaultClusterId;
    /// <summary>The head's web service (dashboard, state API, jobs), e.g. http://127.0.0.1:8265; null when it serves none.</summary>
    public string? DashboardUrl { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads the current-cluster file; null when no head runs on this machine.</summary>
    public static CurrentCluster? TryRead()
    {
        var file = GridStateDirectory.CurrentClusterFile;
        if (!File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize<CurrentCluster>(File.ReadAllText(file), Json);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new GridConnectionException($"The current-cluster file {file} cannot be read ({e.Message}); " +
                "stop the cluster with 'grid stop' and start it again, or connect with an explicit address.", GridClusterAddress.Auto);
        }
    }

    /// <summary>Writes the file readable by its owner only: it holds the cluster's password.</summary>
    public void Write()
    {
        var file = GridStateDirectory.CurrentClusterFile;
        GridStateDirectory.CreatePrivate(System.IO.Path.GetDirectoryName(file)!);
        var temp = file + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, file, overwrite: true);
    }

    public static void Delete() => File.Delete(GridStateDirectory.CurrentClusterFile);
}
