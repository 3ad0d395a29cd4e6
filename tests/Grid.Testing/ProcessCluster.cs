using System.Diagnostics;
using Grid.Hosting;
using Grid.Silo.Gcs;
using Grid.Wire;
using Xunit;

namespace Grid.Testing;

/// <summary>
/// A real cluster on loopback, started the way a user does: <c>grid start --head</c> (which launches
/// redis-server) and <c>grid start --address</c> workers, each a separate process (the built <c>grid</c>
/// command, <see cref="GridCli"/>), in a temp state directory and on a free port. Disposal runs
/// <c>grid stop</c> and then kills anything it left. Unlike <see cref="GridTestCluster"/>, nothing runs in
/// the test's process: the test is a client, as a user's program is.
/// </summary>
/// <remarks>
/// Use it as an xunit fixture (a subclass with a parameterless constructor choosing the workers and the
/// code path), or create one and call <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/>.
/// </remarks>
public class ProcessCluster : IAsyncLifetime
{
    public const string Password = "cluster-test-secret";
    public const double CpusPerNode = 2;

    private readonly string _codePath;

    /// <param name="workers">Worker nodes besides the head.</param>
    /// <param name="codePath">Where the nodes load the code the tests' tasks and actors run (<c>--code-path</c>).</param>
    public ProcessCluster(int workers, string codePath)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        Workers = workers;
        _codePath = codePath;
    }

    public int Workers { get; }
    public string StateDir { get; } = Directory.CreateTempSubdirectory("grid-cluster-test-").FullName;
    public int Port { get; } = LoopbackPorts.Next();
    public string Address => $"127.0.0.1:{Port}";
    /// <summary>The head's web service (dashboard, state API, jobs): on a free port, so clusters of parallel runs do not meet on 8265.</summary>
    public int DashboardPort { get; } = LoopbackPorts.Next();
    public string DashboardUrl => $"http://127.0.0.1:{DashboardPort}";
    public GridCli Cli => new(StateDir);

    /// <summary>The flags every node of this cluster starts with: the password, its CPUs, loopback, the code path.</summary>
    public string[] NodeArgs => ["--password", Password, "--num-cpus", CpusPerNode.ToString(System.Globalization.CultureInfo.InvariantCulture), "--node-ip-address", "127.0.0.1", "--code-path", _codePath];

    /// <summary>The head's flags: <see cref="NodeArgs"/>, its Redis port and its web service's port.</summary>
    public string[] HeadArgs => ["start", "--head", "--port", Port.ToString(), "--dashboard-port", DashboardPort.ToString(), .. NodeArgs];

    public async Task InitializeAsync()
    {
        try
        {
            var head = await Cli.RunAsync(HeadArgs);
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
}
