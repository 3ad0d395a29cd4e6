using Grid.Grains;
using Grid.Silo;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Tests.Core;

/// <summary>
/// Three in-process silos keeping at most 500 task records each: small enough that the 10,000-task run overflows every
/// node's store, which must stay bounded while its counts stay exact.
/// </summary>
public sealed class NodeStateCluster : IAsyncLifetime
{
    public const int RecordCapacity = 500;
    public GridTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid => Cluster.Grid;

    public async Task InitializeAsync() =>
        Cluster = await new GridTestClusterBuilder().Silos(3)
            .ConfigureNodes(o => { o.NumCpus = 4; o.TaskRecordCapacity = RecordCapacity; })
            .StartAsync();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }

    internal INodeStateGrain StateOf(NodeId node) => Cluster.Client.GetGrain<INodeStateGrain>(node.Value);

    internal async Task<NodeStats[]> StatsAsync() =>
        await Task.WhenAll(Cluster.Silos.Select(s => StateOf(GridTestCluster.NodeOf(s)).GetStats()));

    /// <summary>Finished and failed counts of <paramref name="name"/> summed over the nodes.</summary>
    internal static (long Pending, long Running, long Finished, long Failed) Sum(NodeStats[] stats, string name)
    {
        var counts = stats.Select(s => s.TaskCountsByName.GetValueOrDefault(name) ?? new long[4]).ToArray();
        return (counts.Sum(c => c[0]), counts.Sum(c => c[1]), counts.Sum(c => c[2]), counts.Sum(c => c[3]));
    }
}

/// <summary>
/// What a node tells the head about itself (INodeStateGrain): exact task counts by function and state, its bounded task
/// records with node-local states, times and errors, and sane process and machine figures. Actors carry their creation time.
/// </summary>
public sealed class NodeStateTests(NodeStateCluster fixture) : IClassFixture<NodeStateCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private GridClient Grid => fixture.Grid;

    [Fact]
    public async Task The_nodes_counts_summed_give_exactly_the_tasks_that_finished_and_failed_by_name_and_their_records_say_how()
    {
        var squares = Enumerable.Range(0, 60).Select(i => Grid.Function<int, int>(StateFunctions.Square).Remote(i)).ToArray();
        var halves = Enumerable.Range(0, 40).Select(i => Grid.Function<int, int>(StateFunctions.HalfOrThrow).Remote(i)).ToArray();
        Assert.Equal(Enumerable.Range(0, 60).Select(i => i * i), await Grid.GetAsync(squares, Timeout));
        for (var i = 0; i < halves.Length; i++)
            if (i % 2 == 0) Assert.Equal(i / 2, await Grid.GetAsync(halves[i], Timeout));
            else await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(halves[i], Timeout)); // every odd one throws

        var stats = await Eventually.WaitAsync(fixture.StatsAsync, s => NodeStateCluster.Sum(s, SquareName).Finished == 60
            && NodeStateCluster.Sum(s, HalfName) is var h && h.Finished + h.Failed == 40, Timeout, "every task ended on its node");
        Assert.Equal((0L, 0L, 60L, 0L), NodeStateCluster.Sum(stats, SquareName));
        Assert.Equal((0L, 0L, 20L, 20L), NodeStateCluster.Sum(stats, HalfName));

        var failed = (await Task.WhenAll(stats.Select(s => fixture.StateOf(s.NodeId).GetTasks(TaskRecordState.Failed, Grid.JobId, HalfName, 100)))).SelectMany(r => r).ToArray();
        Assert.Equal(20, failed.Length);
        Assert.All(failed, r =>
        {
            Assert.Equal(HalfName, r.Name);
            Assert.Equal(Grid.JobId, r.Job);
            Assert.Contains("InvalidOperationException: odd input", r.Error);
            Assert.True(r.QueuedAt <= r.StartedAt && r.StartedAt <= r.EndedAt);
        });
        var finished = (await Task.WhenAll(stats.Select(s => fixture.StateOf(s.NodeId).GetTasks(null, null, SquareName, 1000)))).SelectMany(r => r).ToArray();
        Assert.Equal(60, finished.Length);
        Assert.True(squares.Select(s => s.Id).ToHashSet().SetEquals(finished.Select(r => r.TaskId)), "a record per task, of these tasks");
        Assert.All(finished, r => Assert.Equal(TaskRecordState.Finished, r.State));
        Assert.All(finished, r => Assert.Null(r.Error));
    }

    [Fact]
    public async Task A_task_pinned_to_another_node_counts_only_on_the_node_that_ran_it()
    {
        var nodes = await fixture.Cluster.NodesAsync();
        var target = nodes[^1];
        var pinned = new TaskOptions { Scheduling = SchedulingStrategy.NodeAffinity(target) };
        var refs = Enumerable.Range(0, 30).Select(i => Grid.Function<int, string>(StateFunctions.Where).Options(pinned).Remote(i)).ToArray();
        Assert.All(await Grid.GetAsync(refs, Timeout), where => Assert.Equal(target.Value, where));

        var stats = await Eventually.WaitAsync(fixture.StatsAsync, s => NodeStateCluster.Sum(s, WhereName).Finished == 30, Timeout, "the pinned tasks ended");
        Assert.Equal((0L, 0L, 30L, 0L), NodeStateCluster.Sum(stats, WhereName));
        Assert.Equal(30, stats.Single(s => s.NodeId == target).TaskCountsByName[WhereName][(int)TaskRecordState.Finished]);
        Assert.All(stats.Where(s => s.NodeId != target), s => Assert.False(s.TaskCountsByName.ContainsKey(WhereName)));
    }

    [Fact]
    public async Task A_task_blocked_on_a_gate_shows_running_then_finished()
    {
        var gate = Guid.NewGuid().ToString("N");
        var blocked = Grid.Function<string, int>(StateFunctions.WaitForGate).Remote(gate);
        await TestFunctions.Gate(gate + ":started").Task.WaitAsync(Timeout);

        var running = await Eventually.WaitAsync(() => RecordOfAsync(blocked.Id), r => r is { State: TaskRecordState.Running }, Timeout, "the task's record Running");
        Assert.NotNull(running!.StartedAt);
        Assert.Null(running.EndedAt);
        var stats = await fixture.StatsAsync();
        Assert.Equal(1, NodeStateCluster.Sum(stats, GateName).Running);

        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(7, await Grid.GetAsync(blocked, Timeout));
        var finished = await Eventually.WaitAsync(() => RecordOfAsync(blocked.Id), r => r is { State: TaskRecordState.Finished }, Timeout, "the task's record Finished");
        Assert.True(finished!.EndedAt >= finished.StartedAt);
    }

    [Fact]
    public async Task A_10000_task_run_keeps_every_nodes_task_store_bounded_while_the_counts_stay_exact()
    {
        const int tasks = 10_000;
        var refs = new ObjectRef<int>[tasks];
        for (var i = 0; i < tasks; i++) refs[i] = Grid.Function<int, int>(StateFunctions.Bulk).Remote(i);
        Assert.Equal(Enumerable.Range(1, tasks), await Grid.GetAsync(refs, Timeout));

        var stats = await Eventually.WaitAsync(fixture.StatsAsync, s => NodeStateCluster.Sum(s, BulkName).Finished == tasks, Timeout, "every task ended");
        Assert.Equal((0L, 0L, (long)tasks, 0L), NodeStateCluster.Sum(stats, BulkName));
        foreach (var node in stats)
        {
            var kept = await fixture.StateOf(node.NodeId).GetTasks(null, null, null, int.MaxValue);
            Assert.InRange(kept.Length, 0, NodeStateCluster.RecordCapacity);
            Assert.True(node.TasksEnded >= node.TaskCountsByName.GetValueOrDefault(BulkName)?[(int)TaskRecordState.Finished]);
        }
        Assert.True(stats.Sum(s => s.TaskRecordsDropped) >= tasks - 3 * NodeStateCluster.RecordCapacity);
    }

    [Fact]
    public async Task The_nodes_figures_are_those_of_a_live_process_and_machine()
    {
        var stats = await fixture.StatsAsync();
        Assert.Equal(3, stats.Select(s => s.NodeId).Distinct().Count());
        Assert.All(stats, s =>
        {
            Assert.Equal(Environment.ProcessId, s.Pid); // the silos run in this process
            Assert.True(s.StartTime <= DateTimeOffset.UtcNow);
            Assert.True(s.MemoryBytes > 0);
            Assert.True(s.CpuPercent >= 0);
            Assert.True(s.ObjectStoreCapacityBytes > 0);
            Assert.InRange(s.ObjectStoreUsedBytes, 0, s.ObjectStoreCapacityBytes);
            Assert.False(s.IsHead); // no web service here
            if (OperatingSystem.IsLinux())
            {
                Assert.InRange(s.MachineCpuPercent!.Value, 0, 100);
                Assert.True(s.MachineMemoryTotalBytes > 0);
                Assert.InRange(s.MachineMemoryUsedBytes!.Value, 1, s.MachineMemoryTotalBytes!.Value);
            }
        });
    }

    [Fact]
    public async Task An_actor_is_stamped_with_when_it_was_created_and_a_restart_keeps_the_stamp()
    {
        var before = DateTimeOffset.UtcNow;
        var actor = await Grid.CreateActorAsync(() => new Recorder(), new ActorOptions { MaxRestarts = 1 });
        Assert.Equal(1, await actor.Call(a => a.Record(1)).GetAsync(Timeout));
        var created = (await actor.GetInfoAsync()).CreatedAt;
        Assert.NotNull(created);
        Assert.InRange(created!.Value, before, DateTimeOffset.UtcNow);

        await actor.KillAsync(noRestart: false);
        var restarted = await Eventually.WaitAsync(() => actor.GetInfoAsync(), i => i is { RestartCount: 1, State: ActorState.Alive }, Timeout, "the actor restarted");
        Assert.Equal(created, restarted.CreatedAt);
    }

    private async Task<TaskRecord?> RecordOfAsync(ObjectId task)
    {
        foreach (var silo in fixture.Cluster.Silos)
            if ((await fixture.StateOf(GridTestCluster.NodeOf(silo)).GetTasks(null, null, GateName, 100)).FirstOrDefault(r => r.TaskId == task) is { } record)
                return record;
        return null;
    }

    private static readonly string SquareName = NameOf(nameof(StateFunctions.Square));
    private static readonly string HalfName = NameOf(nameof(StateFunctions.HalfOrThrow));
    private static readonly string WhereName = NameOf(nameof(StateFunctions.Where));
    private static readonly string GateName = NameOf(nameof(StateFunctions.WaitForGate));
    private static readonly string BulkName = NameOf(nameof(StateFunctions.Bulk));

    private static string NameOf(string method) => $"{nameof(StateFunctions)}.{method}";
}

/// <summary>Functions used only by the node state tests, so their counts are theirs alone.</summary>
public static class StateFunctions
{
    public static int Square(int x) => x * x;

    public static int HalfOrThrow(int x) => x % 2 == 0 ? x / 2 : throw new InvalidOperationException("odd input");

    public static string Where(int _) => GridContext.Current.NodeId.Value;

    public static int Bulk(int x) => x + 1;

    public static async Task<int> WaitForGate(string gate)
    {
        TestFunctions.Gate(gate + ":started").SetResult(true);
        await TestFunctions.Gate(gate).Task;
        return 7;
    }
}
