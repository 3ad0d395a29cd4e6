namespace Grid.Cluster.Tests;

/// <summary><c>grid stop</c> ends every process the <c>grid</c> command started on this machine.</summary>
public sealed class StopTests(SmallCluster cluster) : IClassFixture<SmallCluster>
{
    [Fact]
    public async Task Stop_ends_every_node_and_the_heads_redis()
    {
        var pids = cluster.RecordedPids();
        Assert.Equal(3, pids.Count); // head, worker, redis-server
        Assert.All(pids, pid => Assert.True(LocalCluster.IsRunning(pid), $"pid {pid} should run before stop"));

        var stop = await cluster.Cli.RunAsync("stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("Stopped the head node", stop.Output);
        Assert.Contains("Stopped the worker node", stop.Output);
        Assert.Contains("Stopped the head's redis-server", stop.Output);
        // `grid stop` returns once the processes are gone.
        Assert.All(pids, pid => Assert.False(LocalCluster.IsRunning(pid), $"pid {pid} still runs after grid stop"));
        Assert.False(File.Exists(Path.Combine(cluster.StateDir, "current-cluster.json")));

        var again = await cluster.Cli.RunAsync("stop");
        Assert.Contains("No Grid nodes were running", again.Output);
        var status = await cluster.Cli.RunAsync("status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("No Grid cluster was started on this machine", status.Error);
    }
}
