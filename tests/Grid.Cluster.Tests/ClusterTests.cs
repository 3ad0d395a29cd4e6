using System.Text.RegularExpressions;
using Grid.Samples.Scenarios;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// S13 on a real three-node cluster started with the <c>grid</c> command: a client connects with the
/// head's address and password, runs S1, S6, S7 and S9, and its tasks reach every node.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class ClusterTests(LocalCluster cluster)
{
    private Task<GridClient> ConnectAsync() => GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);

    [Fact]
    public async Task Client_runs_squares_dag_map_reduce_and_counters_on_the_cluster()
    {
        await using var grid = await ConnectAsync();

        Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(grid));

        var z = await WaitDagMapReduce.DagAsync(grid);
        Assert.Equal(100, z.GetLength(0));
        Assert.Equal(100, z.GetLength(1));
        Assert.All(z.Cast<double>(), v => Assert.Equal(0, v));

        Assert.Equal((9900, 9900), await WaitDagMapReduce.MapReduceAsync(grid));

        var (afterOne, afterEleven) = await Actors.CountersAsync(grid);
        Assert.Equal(new[] { 1, 1, 1, 1 }, afterOne);
        Assert.Equal(new[] { 11, 11, 11, 11 }, afterEleven);
    }

    [Fact]
    public async Task Tasks_run_on_all_three_nodes()
    {
        var nodes = await cluster.AliveNodesAsync();
        await using var grid = await ConnectAsync();

        var spread = await Spread.AcrossNodesAsync(grid, tasks: 30);

        Assert.Equal(nodes.Select(n => n.NodeId.Value).Order(), spread.Keys.Order());
    }

    [Fact]
    public async Task A_thousand_spread_tasks_all_come_back_although_some_are_passed_back_to_the_node_that_forwarded_them()
    {
        await using var grid = await ConnectAsync();
        var square = grid.Function<int, int>(TasksAndObjects.Square, new TaskOptions { Scheduling = SchedulingStrategy.Spread });

        // Each node forwards a SPREAD task to the next in its rotation, and a busy node passes it on again, sometimes
        // back to the node that first forwarded it. That node must place it, not answer it with its own forward
        // (which waited for itself: about one task in twenty never came back, with no error).
        var results = await grid.GetAsync([.. Enumerable.Range(0, 1_000).Select(i => square.Remote(i))], timeout: TimeSpan.FromMinutes(2));

        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => i * i), results);
    }

    [Fact]
    public async Task Status_lists_three_nodes_with_the_summed_resources()
    {
        var nodes = await cluster.AliveNodesAsync();

        var status = await cluster.Cli.RunAsync("status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("3 node(s) alive", status.Output);
        foreach (var node in nodes) Assert.Contains(node.NodeId.Value, status.Output);
        Assert.Equal(3, Regex.Matches(status.Output, @"│\s*alive\s*│").Count); // the State cells of the node rows
        Assert.Matches(@"Resources: CPU [\d.]+/6 used, GPU 0/0 used", status.Output);
        Assert.Contains("worker=0", status.Output);
        Assert.Contains("worker=1", status.Output);
    }

    [Fact]
    public async Task Status_with_an_explicit_address_and_password_reads_the_same_cluster()
    {
        var status = await cluster.Cli.RunAsync("status", "--address", cluster.Address, "--password", LocalCluster.Password);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("3 node(s) alive", status.Output);
    }

    [Fact]
    public async Task A_client_finds_the_cluster_through_auto_and_GRID_ADDRESS()
    {
        // "auto" reads the current-cluster file of the state dir the head was started with.
        var saved = Environment.GetEnvironmentVariable("GRID_STATE_DIR");
        Environment.SetEnvironmentVariable("GRID_STATE_DIR", cluster.StateDir);
        try
        {
            await using (var viaAuto = await GridClient.ConnectAsync("auto"))
                Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(viaAuto));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GRID_STATE_DIR", saved);
        }

        Environment.SetEnvironmentVariable("GRID_ADDRESS", cluster.Address);
        Environment.SetEnvironmentVariable("GRID_PASSWORD", LocalCluster.Password);
        try
        {
            await using var viaEnvironment = await GridClient.ConnectAsync();
            Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(viaEnvironment));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GRID_ADDRESS", null);
            Environment.SetEnvironmentVariable("GRID_PASSWORD", null);
        }
    }

    [Fact]
    public async Task A_node_with_a_wrong_or_missing_password_is_refused()
    {
        var wrong = await cluster.Cli.RunAsync(["start", "--address", cluster.Address, "--password", "not-the-password", "--num-cpus", "1", "--node-ip-address", "127.0.0.1"]);
        var missing = await cluster.Cli.RunAsync(["start", "--address", cluster.Address, "--num-cpus", "1", "--node-ip-address", "127.0.0.1"]);

        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("refused the password", wrong.Error);
        Assert.Contains("--password", wrong.Error);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("requires a password", missing.Error);
        Assert.Equal(3, (await cluster.AliveNodesAsync()).Length);
    }

    [Fact]
    public async Task A_client_with_a_wrong_or_missing_password_is_refused()
    {
        var wrong = await Assert.ThrowsAsync<GridAuthenticationException>(() => GridClient.ConnectAsync(cluster.Address, "not-the-password"));
        var missing = await Assert.ThrowsAsync<GridAuthenticationException>(() => GridClient.ConnectAsync(cluster.Address, null));

        Assert.Contains("refused the password", wrong.Message);
        Assert.Contains("requires a password", missing.Message);
    }

    [Fact]
    public async Task Status_with_a_wrong_password_is_refused()
    {
        var status = await cluster.Cli.RunAsync("status", "--address", cluster.Address, "--password", "not-the-password");

        Assert.Equal(1, status.ExitCode);
        Assert.Contains("refused the password", status.Error);
    }
}
