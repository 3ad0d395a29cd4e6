using System.Diagnostics;
using System.Net.Sockets;
using Grid.Samples.Scenarios;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Cluster.Tests;

/// <summary>
/// The GCS and the head fail on a real cluster (<c>grid start</c> processes, the head's own redis-server with AOF):
/// Redis killed with SIGKILL and restarted on its port and data directory loses no named actor, job or placement
/// group, and placed work keeps running meanwhile; a head node killed with SIGKILL leaves the workers running tasks,
/// and <c>grid start --head</c> again rejoins the running cluster. Each test has its own head and worker, since it breaks them.
/// </summary>
public sealed class GcsAndHeadFailureTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private static Dictionary<string, double> OneCpu => new() { [ResourceSet.Cpu] = 1 };

    [Fact]
    public async Task Redis_killed_and_restarted_loses_no_named_actor_job_or_placement_group_and_placed_work_keeps_running()
    {
        var cluster = new SmallCluster();
        await cluster.InitializeAsync();
        try
        {
            await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
            var counter = await grid.CreateActorAsync(() => new Counter(0, 0, "gcs-restart"), new ActorOptions { Name = "survives-redis" });
            Assert.Equal(1, await counter.Call(c => c.Increment()).GetAsync(Step));
            var pg = await grid.CreatePlacementGroupAsync([OneCpu]);
            await pg.ReadyAsync(Step);
            // Each node loads the job's code from the GCS at its first task of the job: done before the GCS goes.
            foreach (var node in await cluster.AliveNodesAsync())
                Assert.Equal(9, await grid.Function<int, int>(TasksAndObjects.Square, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(node.NodeId) }).Remote(3).GetAsync(Step));
            var redis = new HeadRedis(cluster.StateDir, cluster.Port);

            await redis.KillAsync();

            // Work needs no GCS once placed: tasks, the actor's calls and work in the group run while Redis is down.
            Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(grid));
            Assert.Equal(2, await counter.Call(c => c.Increment()).GetAsync(Step));
            Assert.Equal(16, await grid.Function<int, int>(TasksAndObjects.Square, new TaskOptions { Scheduling = pg.Bundle(0) }).Remote(4).GetAsync(Step));

            // A call that needs the GCS waits for it: a name lookup made while Redis is down answers once it is back.
            var lookup = grid.GetActorAsync<Counter>("survives-redis");
            var restarted = Stopwatch.StartNew();
            await redis.RestartAsync();
            var found = await lookup.WaitAsync(Step);
            Assert.Equal(counter.ActorId, found.ActorId);
            Assert.Equal(3, await found.Call(c => c.Increment()).GetAsync(Step));

            // Nothing the GCS held is lost: the job, the named actor, the group; a new client joins; work still runs.
            await using var gcs = await RedisGcs.ConnectAsync(cluster.Redis);
            Assert.Equal(JobStatus.Running, (await gcs.GetJobAsync(grid.JobId))!.Status);
            Assert.Equal(ActorState.Alive, (await gcs.GetNamedActorAsync("default", "survives-redis"))!.State);
            Assert.Equal(PlacementGroupState.Created, (await gcs.GetPlacementGroupAsync(pg.Id))!.State);
            await using var other = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
            Assert.Equal(4, await (await other.GetActorAsync<Counter>("survives-redis")).Call(c => c.Increment()).GetAsync(Step));
            Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(other));
            await cluster.WaitForAliveNodesAsync(2);
            Console.WriteLine($"After the restart, the lookup and the checks took {restarted.Elapsed.TotalSeconds:F1} s.");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_killed_head_leaves_the_workers_running_and_a_restarted_head_rejoins_the_cluster()
    {
        var cluster = new SmallCluster();
        await cluster.InitializeAsync();
        try
        {
            var nodes = await cluster.AliveNodesAsync();
            var worker = nodes.Single(n => n.Labels.ContainsKey("worker")).NodeId;
            var head = cluster.NodePid("head");
            await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
            var onWorker = grid.Function<int, int>(TasksAndObjects.Square, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(worker) });
            Assert.Equal(4, await onWorker.Remote(2).GetAsync(Step));

            using (var process = Process.GetProcessById(head)) process.Kill();
            await Eventually.WaitAsync(() => !LocalCluster.IsRunning(head), Step, "the head node process to die");
            await cluster.WaitForAliveNodesAsync(1);

            // The worker, the GCS (the head's Redis is a process of its own) and clients carry on; new clients join.
            Assert.Equal(9, await onWorker.Remote(3).GetAsync(Step));
            Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(grid));
            await using (var late = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password))
                Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(late));

            var again = await cluster.Cli.RunAsync(cluster.HeadArgs);
            Assert.True(again.ExitCode == 0, $"grid start --head again failed: {again}");
            Assert.Contains("rejoins", again.Output);
            var rejoined = (await cluster.WaitForAliveNodesAsync(2)).Single(n => n.NodeId != worker).NodeId;
            var onHead = grid.Function<int, int>(TasksAndObjects.Square, new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(rejoined) });
            Assert.Equal(25, await onHead.Remote(5).GetAsync(Step));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The redis-server <c>grid start --head</c> runs: killed with SIGKILL and started again as a supervisor would, same config and data.</summary>
    private sealed class HeadRedis(string stateDir, int port)
    {
        private string Dir => Path.Combine(stateDir, "redis");

        public async Task KillAsync()
        {
            var pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(Dir, "redis.pid"))).Trim());
            using (var process = Process.GetProcessById(pid)) process.Kill();
            await Eventually.WaitAsync(() => !LocalCluster.IsRunning(pid), Step, "redis-server to die");
        }

        public async Task RestartAsync()
        {
            using (var launcher = Process.Start(new ProcessStartInfo("redis-server", [Path.Combine(Dir, "redis.conf")]) { UseShellExecute = false })!)
                await launcher.WaitForExitAsync(); // daemonized: the launcher exits once the server forked
            await Eventually.WaitAsync(Accepts, Step, $"redis-server to listen on port {port} again");
        }

        private async Task<bool> Accepts()
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException) { return false; }
        }
    }
}
