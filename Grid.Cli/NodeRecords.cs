using System.Text.Json;
using Grid.Hosting;

namespace Grid.Cli;

/// <summary>The layout of the state directory (<see cref="GridStateDirectory"/>) as the <c>grid</c> command uses it.</summary>
internal static class StatePaths
{
    public static string Root => GridStateDirectory.Path;
    public static string Logs => Combine("logs");
    public static string Nodes => Combine("nodes");
    public static string RedisData => Combine("redis");
    public static string RedisPidFile => Path.Combine(RedisData, "redis.pid");
    public static string RedisConfig => Path.Combine(RedisData, "redis.conf");
    public static string RedisLog => Path.Combine(Logs, "redis.log");

    private static string Combine(string name)
    {
        GridStateDirectory.CreatePrivate(Root);
        return GridStateDirectory.CreatePrivate(Path.Combine(Root, name));
    }
}

/// <summary>
/// A node started by the <c>grid</c> command on this machine. The node writes it once it has joined
/// the cluster (which is how a detached start knows it is ready) and removes it when it stops.
/// </summary>
internal sealed record NodeRecord
{
    /// <summary>
    /// Mark our node processes in /proc/PID/cmdline, so pids are checked before signalling: <c>dotnet …/Grid.Cli.dll</c>
    /// (a checkout's ./grid, a published build), or the <c>grid</c> command of the .NET tool (its shim runs the tool in-process).
    /// </summary>
    public static readonly string[] ProcessMarkers = ["Grid.Cli", "/grid "];

    public required int Pid { get; init; }
    public required string Role { get; init; }
    public required string NodeId { get; init; }
    public required string ClusterAddress { get; init; }
    public string? LaunchId { get; init; }
    public string? Log { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>The head's web service (dashboard, state API, jobs), e.g. http://127.0.0.1:8265; null on workers or when off.</summary>
    public string? DashboardUrl { get; init; }
    /// <summary>The node's Prometheus endpoint, e.g. http://10.0.0.5:41234/metrics.</summary>
    public string? MetricsUrl { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static string FileFor(int pid) => Path.Combine(StatePaths.Nodes, $"{pid}.json");

    public void Write()
    {
        var file = FileFor(Pid);
        File.WriteAllText(file + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(file + ".tmp", file, overwrite: true);
    }

    public static void Remove(int pid) => File.Delete(FileFor(pid));

    /// <summary>Nodes recorded on this machine; records of processes that are gone are removed (they crashed or were killed).</summary>
    public static IReadOnlyList<NodeRecord> ReadRunning()
    {
        var result = new List<NodeRecord>();
        foreach (var file in Directory.EnumerateFiles(StatePaths.Nodes, "*.json"))
        {
            NodeRecord? record;
            try { record = JsonSerializer.Deserialize<NodeRecord>(File.ReadAllText(file), Json); }
            catch (Exception e) when (e is IOException or JsonException) { continue; }
            if (record is null) continue;
            if (LocalProcesses.IsRunning(record.Pid, ProcessMarkers)) result.Add(record);
            else File.Delete(file);
        }
        return result;
    }
}
