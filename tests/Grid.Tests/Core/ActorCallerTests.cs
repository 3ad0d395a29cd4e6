using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Ray's caller: each task, actor and driver is a caller of its own, even when they share a process (as the driver
/// and the node's tasks do on the embedded mode, and as tasks on one node always do). Order holds per caller; a call
/// waiting on a slow argument holds back only its own caller's later calls.
/// </summary>
public abstract class ActorCallerTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_call_waiting_on_a_slow_argument_does_not_hold_back_a_task_calling_the_same_actor()
    {
        var gate = Guid.NewGuid().ToString("N");
        var recorder = await Grid.CreateActorAsync(() => new Recorder());
        var slow = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened).Remote(gate, 1);
        var waiting = recorder.Call(r => r.Record(slow.AsArg()));

        // A task (on the embedded mode, in the driver's own process) calls the same actor: it is another caller.
        var other = Grid.Function<ActorHandle<Recorder>, int, int>(CallerFunctions.Record).Remote(recorder, 2);
        Assert.Equal(2, await Grid.GetAsync(other, Timeout));
        Assert.False((await Grid.WaitAsync([waiting], timeout: TimeSpan.Zero)).Ready.Count > 0);

        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(waiting, Timeout));
        Assert.Equal(new List<int> { 2, 1 }, await Grid.GetAsync(recorder.Call(r => r.Seen()), Timeout));
        await recorder.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Two_tasks_on_one_node_are_two_callers_and_each_keeps_its_order()
    {
        var gate = Guid.NewGuid().ToString("N");
        var recorder = await Grid.CreateActorAsync(() => new Recorder());
        // The first task calls with an argument it owns and that waits on the gate, then starts a second task on its
        // own node (so in its own process) that makes ordered calls, and returns what the second one saw answered.
        var (seen, slowCall) = await Grid.GetAsync(Grid.Function<ActorHandle<Recorder>, string, (List<int>, ObjectRef<int>)>(CallerFunctions.SlowCallerThenNeighbour)
            .Remote(recorder, gate), Timeout);
        Assert.Equal(new List<int> { 10, 11, 12 }, seen);

        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(slowCall, Timeout));
        // The slow call ran last; the neighbour's three ran in its order.
        Assert.Equal(new List<int> { 10, 11, 12, 1 }, await Grid.GetAsync(recorder.Call(r => r.Seen()), Timeout));
        await recorder.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Many_tasks_each_calling_an_actor_in_order_all_see_their_own_order()
    {
        var log = await Grid.CreateActorAsync(() => new CallerLog());
        var runs = Enumerable.Range(0, 40).Select(i => Grid.Function<ActorHandle<CallerLog>, int, bool>(CallerFunctions.AppendInOrder).Remote(log, i)).ToArray();
        Assert.All(await Grid.GetAsync(runs).WaitAsync(Timeout), Assert.True);
        // Every task's five calls arrived in the order it made them (fire-and-forget, so only the sequence keeps it).
        Assert.True(await Grid.GetAsync(log.Call(l => l.EachCallerInOrder(40, 5)), Timeout));
        await log.KillAsync().WaitAsync(Timeout);
    }
}

public static class CallerFunctions
{
    public static async Task<int> Record(ActorHandle<Recorder> recorder, int value) => await recorder.Call(r => r.Record(value));

    public static async Task<(List<int>, ObjectRef<int>)> SlowCallerThenNeighbour(ActorHandle<Recorder> recorder, string gate)
    {
        var grid = GridContext.Current.Grid;
        var slow = grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened).Remote(gate, 1);
        var slowCall = recorder.Call(r => r.Record(slow.AsArg())); // held here until the gate opens: this task owns its argument
        var here = SchedulingStrategy.NodeAffinity(GridContext.Current.NodeId);
        var seen = await grid.Function<ActorHandle<Recorder>, List<int>>(OrderedCalls).Options(new TaskOptions { Scheduling = here }).Remote(recorder);
        return (seen, slowCall);
    }

    public static async Task<List<int>> OrderedCalls(ActorHandle<Recorder> recorder)
    {
        var calls = new[] { 10, 11, 12 }.Select(v => recorder.Call(r => r.Record(v))).ToArray();
        var answered = new List<int>();
        foreach (var call in calls) answered.Add(await call);
        return answered;
    }

    public static async Task<bool> AppendInOrder(ActorHandle<CallerLog> log, int caller)
    {
        var calls = Enumerable.Range(0, 5).Select(i => log.Call(l => l.Append(caller, i))).ToArray();
        foreach (var call in calls) await call;
        return true;
    }
}

/// <summary>Records, per caller, the order its calls arrived in.</summary>
public sealed class CallerLog
{
    private readonly Dictionary<int, List<int>> _byCaller = [];

    public void Append(int caller, int index)
    {
        if (!_byCaller.TryGetValue(caller, out var list)) _byCaller[caller] = list = [];
        list.Add(index);
    }

    public bool EachCallerInOrder(int callers, int calls) =>
        _byCaller.Count == callers && _byCaller.Values.All(list => list.SequenceEqual(Enumerable.Range(0, calls)));
}

[Collection("embedded")]
public sealed class EmbeddedActorCallerTests(EmbeddedGridFixture fixture) : ActorCallerTests(fixture);

[Collection("cluster")]
public sealed class ClusterActorCallerTests(ClusterGridFixture fixture) : ActorCallerTests(fixture);
