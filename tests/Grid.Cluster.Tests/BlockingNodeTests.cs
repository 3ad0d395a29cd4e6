using System.Diagnostics;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Cluster.Tests;

/// <summary><c>grid start --block</c>: a node in the foreground that SIGTERM stops gracefully (what systemd does).</summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class BlockingNodeTests(LocalCluster cluster)
{
    [Fact]
    public async Task A_blocking_worker_joins_and_on_SIGTERM_leaves_marked_dead_in_the_GCS()
    {
        var before = await cluster.AliveNodesAsync();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[GridCli.Dll, "start", "--address", cluster.Address, .. cluster.NodeArgs, "--labels", "blocking=yes", "--block"])
            start.ArgumentList.Add(arg);
        start.Environment["GRID_STATE_DIR"] = cluster.StateDir;
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        try
        {
            var joined = await cluster.WaitForAliveNodesAsync(before.Length + 1);
            var added = Assert.Single(joined, n => n.Labels.GetValueOrDefault("blocking") == "yes");

            Assert.True(Signal(node.Id, "TERM"), "could not send SIGTERM");
            using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1))) await node.WaitForExitAsync(cts.Token);

            Assert.True(node.ExitCode == 0, $"exit code {node.ExitCode}\n{await output}\n{await error}");
            await using var gcs = await Silo.Gcs.RedisGcs.ConnectAsync(cluster.Redis);
            var record = Assert.Single(await gcs.GetNodesAsync(), n => n.NodeId == added.NodeId);
            Assert.Equal(NodeState.Dead, record.State);
            Assert.Equal(before.Length, (await cluster.AliveNodesAsync()).Length);
            Assert.False(File.Exists(Path.Combine(cluster.StateDir, "nodes", $"{node.Id}.json")));
        }
        finally
        {
            if (!node.HasExited) node.Kill(entireProcessTree: true);
        }
    }

    private static bool Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString()]);
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }
}
