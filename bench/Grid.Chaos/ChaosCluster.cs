using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grid.Hosting;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Chaos;

/// <summary>A node process of the cluster, as its record in the state directory names it.</summary>
public sealed record ChaosNode(int Pid, string Role, string NodeId);

/// <summary>
/// A real cluster on loopback started as a user starts one — <c>grid start --head</c> (which runs
/// redis-server with AOF) and <c>grid start --address</c> workers, each its own process — in its own
/// state directory and on a free port, plus the faults the chaos run injects into it: SIGKILL of a
/// worker, SIGKILL and restart of Redis. Disposal runs <c>grid stop</c> and kills whatever it left.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public const string Password = "chaos-run-secret";
    private const string CpusPerNode = "2";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly bool _keepStateDir;
    private RedisGcs? _gcs;

    private ChaosCluster(string stateDir, bool keepStateDir)
    {
        StateDir = stateDir;
        _keepStateDir = keepStateDir;
        Cli = new GridCli(stateDir);
    }

    public string StateDir { get; }
    public int Port { get; } = LoopbackPorts.Next();
    public string Address => $"127.0.0.1:{Port}";
    public GridCli Cli { get; }
    private string RedisDir => Path.Combine(StateDir, "redis");

    /// <summary>Starts the head and <paramref name="workers"/> workers and waits until the GCS lists them all alive.</summary>
    public static async Task<ChaosCluster> StartAsync(int workers, string? stateDir, bool keepStateDir, CancellationToken cancellationToken)
    {
        var dir = stateDir ?? Directory.CreateTempSubdirectory("grid-chaos-").FullName;
        Directory.CreateDirectory(dir);
        var cluster = new ChaosCluster(dir, keepStateDir);
        try
        {
            string[] node = ["--password", Password, "--num-cpus", CpusPerNode, "--node-ip-address", "127.0.0.1"];
            await cluster.GridAsync(["start", "--head", "--port", cluster.Port.ToString(), .. node]);
            // Workers join one after the other: each start waits until its node has joined.
            for (var i = 0; i < workers; i++)
                await cluster.GridAsync(["start", "--address", cluster.Address, .. node, "--labels", $"chaos-worker={i}"]);
            cluster._gcs = await RedisGcs.ConnectAsync(new GridRedisOptions { Address = cluster.Address, Password = Password }, cancellationToken: cancellationToken);
            var deadline = DateTime.UtcNow + StartTimeout;
            while ((await cluster.AliveNodeIdsAsync()).Count < 1 + workers)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The GCS did not list {1 + workers} alive nodes within {StartTimeout.TotalSeconds:F0} s.");
                await Task.Delay(100, cancellationToken);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node processes this machine's state directory records (the node writes its record once it has joined).</summary>
    public IReadOnlyList<ChaosNode> Nodes()
    {
        var nodes = new List<ChaosNode>();
        var dir = Path.Combine(StateDir, "nodes");
        if (!Directory.Exists(dir)) return nodes;
        foreach (var file in Directory.GetFiles(dir, "*.json"))
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(file));
                var root = json.RootElement;
                nodes.Add(new ChaosNode(root.GetProperty("pid").GetInt32(), root.GetProperty("role").GetString() ?? "", root.GetProperty("nodeId").GetString() ?? ""));
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException) { } // removed or half-written: not a live node
        }
        return nodes;
    }

    /// <summary>SIGKILLs a live worker — <paramref name="preferred"/> when it is one — and returns it.</summary>
    public ChaosNode KillWorker(string? preferred)
    {
        var workers = Nodes().Where(n => n.Role == "worker" && IsRunning(n.Pid)).ToList();
        var victim = workers.FirstOrDefault(n => n.NodeId == preferred) ?? workers.FirstOrDefault()
            ?? throw new InvalidOperationException("No live worker is left to kill.");
        using (var process = Process.GetProcessById(victim.Pid)) process.Kill(); // SIGKILL on Unix: no graceful leave
        return victim;
    }

    /// <summary>Ids of the nodes the GCS lists alive; null while the GCS cannot be read (Redis down).</summary>
    public async Task<IReadOnlySet<string>?> TryAliveNodeIdsAsync()
    {
        try { return await AliveNodeIdsAsync(); }
        catch (Exception e) when (e is not OperationCanceledException) { return null; } // Redis restarting: the caller polls again
    }

    private async Task<IReadOnlySet<string>> AliveNodeIdsAsync() =>
        (await _gcs!.GetNodesAsync()).Where(n => n.State == NodeState.Alive).Select(n => n.NodeId.Value).ToHashSet();

    /// <summary>SIGKILLs the head's redis-server (no AOF rewrite, no clean shutdown) and waits until it is gone.</summary>
    public async Task KillRedisAsync(CancellationToken cancellationToken)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(RedisDir, "redis.pid")).Trim());
        using (var process = Process.GetProcessById(pid)) process.Kill();
        while (IsRunning(pid)) await Task.Delay(20, cancellationToken);
    }

    /// <summary>Starts redis-server again from the head's config (same port, password, data dir and AOF) and waits until it accepts connections.</summary>
    public async Task RestartRedisAsync(CancellationToken cancellationToken)
    {
        using (var start = Process.Start(new ProcessStartInfo("redis-server", [Path.Combine(RedisDir, "redis.conf")]) { UseShellExecute = false })!)
        {
            await start.WaitForExitAsync(cancellationToken); // the config daemonizes it
            if (start.ExitCode != 0) throw new InvalidOperationException($"redis-server did not restart (exit code {start.ExitCode}); see {Path.Combine(StateDir, "logs", "redis.log")}.");
        }
        while (!await AcceptsAsync()) await Task.Delay(20, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gcs is not null) await _gcs.DisposeAsync();
        var pids = Nodes().Select(n => n.Pid).ToList();
        var redisPid = Path.Combine(RedisDir, "redis.pid");
        if (File.Exists(redisPid) && int.TryParse(File.ReadAllText(redisPid).Trim(), out var redis)) pids.Add(redis);
        try
        {
            await Cli.RunAsync(["stop"], TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException) { } // what it left is killed below
        // Whatever `grid stop` missed must not outlive the run.
        foreach (var pid in pids.Where(IsGridProcess))
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(entireProcessTree: true); }
            catch (ArgumentException) { } // exited meanwhile
        }
        if (!_keepStateDir)
        {
            try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
        }
    }

    private async Task GridAsync(string[] args)
    {
        var result = await Cli.RunAsync(args, StartTimeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"grid {string.Join(' ', args.Where(a => a != Password))} failed: {result}");
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            // A zombie (exited, not yet reaped) is gone for every purpose here.
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return !text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    private static bool IsGridProcess(int pid)
    {
        if (!IsRunning(pid)) return false;
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("Grid.Cli", StringComparison.Ordinal) || cmdline.Contains("redis-server", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
    }
}
