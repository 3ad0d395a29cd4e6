using Grid.Hosting;
using Grid.Samples.Scenarios;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// A head's life on one machine: restarted with plain <c>grid start --head</c> (same port and password) it is the
/// same cluster, credentials included; <c>--fresh</c> starts a new one without the old nodes; <c>--insecure</c> runs
/// without TLS and says so loudly. Each test has its own state directory and port.
/// </summary>
public sealed class HeadLifecycleTests : IAsyncLifetime
{
    /// <summary>Never initialized: it gives the test a state directory, a port and the clean-up of whatever runs there.</summary>
    private readonly LocalCluster _place = new();

    private string StateDir => _place.StateDir;
    private GridCli Cli => _place.Cli;
    private string Address => _place.Address;
    private GridRedisOptions Redis => _place.Redis;
    private string[] HeadArgs => ["start", "--head", "--port", _place.Port.ToString(), "--password", LocalCluster.Password, "--num-cpus", "1",
        "--node-ip-address", "127.0.0.1", "--code-path", LocalCluster.CodePath];

    [Fact]
    public async Task A_restarted_head_is_the_same_cluster_and_fresh_starts_a_new_one()
    {
        await StartAsync(HeadArgs);
        string firstAuthority;
        using (var first = await ClusterSecurity.ReadAsync(Redis)) firstAuthority = first!.Authority.Thumbprint;
        await StopAsync();

        await StartAsync(HeadArgs);
        using (var again = await ClusterSecurity.ReadAsync(Redis)) Assert.Equal(firstAuthority, again!.Authority.Thumbprint);
        var status = await Cli.RunAsync("status");
        Assert.Contains("1 node(s) alive, 1 dead not shown", status.Output); // the first head, which stopped
        await using (var grid = await GridClient.ConnectAsync(Address, LocalCluster.Password))
            Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(grid));
        await StopAsync();

        await StartAsync([.. HeadArgs, "--fresh"]);
        using (var fresh = await ClusterSecurity.ReadAsync(Redis)) Assert.NotEqual(firstAuthority, fresh!.Authority.Thumbprint);
        status = await Cli.RunAsync("status");
        Assert.Contains("1 node(s) alive", status.Output);
        Assert.DoesNotContain("dead", status.Output);
        Assert.Contains("Actors: none", status.Output);
    }

    [Fact]
    public async Task An_insecure_head_runs_without_TLS_and_warns_in_its_log()
    {
        await StartAsync([.. HeadArgs, "--insecure"]);

        Assert.Null(await ClusterSecurity.ReadAsync(Redis));
        var log = Directory.GetFiles(Path.Combine(StateDir, "logs"), "head-*.log").Single();
        Assert.Contains("INSECURE", File.ReadAllText(log));
        await using var grid = await GridClient.ConnectAsync(Address, LocalCluster.Password);
        Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(grid));
    }

    [Fact]
    public async Task Worker_only_options_are_refused_on_a_worker()
    {
        var worker = await Cli.RunAsync(["start", "--address", Address, "--password", LocalCluster.Password, "--insecure"]);

        Assert.Equal(1, worker.ExitCode);
        Assert.Contains("--insecure and --fresh are for the head", worker.Error);
    }

    private async Task StartAsync(string[] args)
    {
        var head = await Cli.RunAsync(args);
        Assert.True(head.ExitCode == 0, $"grid {string.Join(' ', args)} failed: {head}");
    }

    private async Task StopAsync()
    {
        var stop = await Cli.RunAsync("stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _place.DisposeAsync();
}
