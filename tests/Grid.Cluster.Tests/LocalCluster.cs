using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grid.Hosting;
using Grid.Samples.Scenarios;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Cluster.Tests;

/// <summary>
/// A real cluster on loopback, started the way a user does: <c>grid start --head</c> (which launches
/// redis-server) and <c>grid start --address</c> workers, each a separate process, in a temp state
/// directory and on a free port. Disposal runs <c>grid stop</c> and then kills anything it left.
/// </summary>
public class LocalCluster : IAsyncLifetime
{
    public const string Password = "cluster-test-secret";
    public const double CpusPerNode = 2;

    public LocalCluster() : this(workers: 2) { }

    protected LocalCluster(int workers) => Workers = workers;

    public int Workers { get; }
    public string StateDir { get; } = Directory.CreateTempSubdirectory("grid-cluster-test-").FullName;
    public int Port { get; } = FreePort();
    public string Address => $"127.0.0.1:{Port}";
    public GridCli Cli => new(StateDir);
    /// <summary>Where the nodes find the scenario code (Grid.Samples.dll), until clients ship their code.</summary>
    public static string CodePath => Path.GetDirectoryName(typeof(TasksAndObjects).Assembly.Location)!;

    public string[] NodeArgs => ["--password", Password, "--num-cpus", "2", "--node-ip-address", "127.0.0.1", "--code-path", CodePath];

    public async Task InitializeAsync()
    {
        try
        {
            var head = await Cli.RunAsync(["start", "--head", "--port", Port.ToString(), .. NodeArgs]);
            Assert.True(head.ExitCode == 0, $"grid start --head failed: {head}");
            for (var i = 0; i < Workers; i++)
            {
                var worker = await Cli.RunAsync(["start", "--address", Address, .. NodeArgs, "--labels", $"worker={i}"]);
                Assert.True(worker.ExitCode == 0, $"grid start --address failed: {worker}");
            }
            await WaitForAliveNodesAsync(1 + Workers);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public GridRedisOptions Redis => new() { Address = Address, Password = Password };

    public async Task<NodeInfo[]> AliveNodesAsync()
    {
        await using var gcs = await RedisGcs.ConnectAsync(Redis);
        return (await gcs.GetNodesAsync()).Where(n => n.State == NodeState.Alive).ToArray();
    }

    public Task<NodeInfo[]> WaitForAliveNodesAsync(int count) =>
        Eventually.WaitAsync(AliveNodesAsync, nodes => nodes.Length == count, TimeSpan.FromMinutes(1), $"{count} alive nodes in the GCS");

    /// <summary>The pid of the node process whose record names <paramref name="role"/> ("head" or "worker"; with one worker).</summary>
    public int NodePid(string role) =>
        int.Parse(Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(StateDir, "nodes"), "*.json")
            .Single(f => File.ReadAllText(f).Contains($"\"{role}\"", StringComparison.Ordinal))));

    /// <summary>Pids of the processes this cluster's state directory records: nodes and the head's Redis.</summary>
    public IReadOnlyList<int> RecordedPids()
    {
        var pids = new List<int>();
        var nodes = Path.Combine(StateDir, "nodes");
        if (Directory.Exists(nodes))
            pids.AddRange(Directory.GetFiles(nodes, "*.json").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f))));
        var redis = Path.Combine(StateDir, "redis", "redis.pid");
        if (File.Exists(redis)) pids.Add(int.Parse(File.ReadAllText(redis).Trim()));
        return pids;
    }

    public static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            // A zombie (exited, not yet reaped by its parent) is gone for every purpose here.
            var text = File.ReadAllText(stat);
            return !text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    private static bool IsGridProcess(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("Grid.Cli", StringComparison.Ordinal) || cmdline.Contains("redis-server", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
    }

    public virtual async Task DisposeAsync()
    {
        var pids = RecordedPids();
        try
        {
            await Cli.RunAsync(["stop"], TimeSpan.FromMinutes(2));
        }
        finally
        {
            // Whatever `grid stop` missed (it failed, or the test broke it) must not outlive the test.
            foreach (var pid in pids.Where(p => IsRunning(p) && IsGridProcess(p)))
            {
                try { using var p = Process.GetProcessById(pid); p.Kill(entireProcessTree: true); }
                catch (ArgumentException) { }
            }
            try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A head and one worker, for the tests that stop the cluster themselves.</summary>
public sealed class SmallCluster() : LocalCluster(workers: 1);

/// <summary>The three-node cluster shared by the test classes that leave it as they found it.</summary>
[CollectionDefinition(Name)]
public sealed class ThreeNodeCluster : ICollectionFixture<LocalCluster>
{
    public const string Name = "three-node cluster";
}
