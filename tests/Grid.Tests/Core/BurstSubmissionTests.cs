using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Tasks and actor calls submitted in a burst travel in batches (one message per node or actor);
/// each still has its own result, error and order, as if submitted one by one.
/// </summary>
public abstract class BurstSubmissionTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_burst_larger_than_a_batch_gives_every_task_its_own_result_and_a_failure_only_to_its_task()
    {
        var increment = Grid.Function<int, int>(TestFunctions.Increment);
        var fail = Grid.Function<string, int>(TestFunctions.Fail);
        // 700 tasks: several batches, with one failing task in the middle of one.
        var refs = Enumerable.Range(0, 700).Select(i => i == 350 ? fail.Remote("task 350 fails") : increment.Remote(i)).ToArray();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(refs[350], Timeout));
        Assert.Equal("task 350 fails", e.Message);
        for (var i = 0; i < refs.Length; i++)
            if (i != 350) Assert.Equal(i + 1, await Grid.GetAsync(refs[i], Timeout));
    }

    [Fact]
    public async Task A_task_in_a_burst_is_answered_while_another_of_the_same_burst_still_runs()
    {
        var gate = Guid.NewGuid().ToString("N");
        var waiting = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 }).Remote(gate, 7);
        var increment = Grid.Function<int, int>(TestFunctions.Increment);
        var quick = Enumerable.Range(0, 50).Select(i => increment.Remote(i)).ToArray();
        Assert.Equal(Enumerable.Range(1, 50), await Grid.GetAsync(quick).WaitAsync(Timeout));
        Assert.False((await Grid.WaitAsync([waiting], numReturns: 1, timeout: TimeSpan.Zero)).Ready.Count > 0);
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(7, await Grid.GetAsync(waiting, Timeout));
    }

    [Fact]
    public async Task Code_that_blocks_on_a_result_of_a_burst_after_awaiting_another_of_it_gets_both()
    {
        var increment = Grid.Function<int, int>(TestFunctions.Increment);
        // Off the test framework's synchronization context, so the code after the await runs where Grid resumes it.
        var (first, last) = await Task.Run(async () =>
        {
            var refs = Enumerable.Range(0, 300).Select(i => increment.Remote(i)).ToArray();
            var first = await Grid.GetAsync(refs[0], Timeout);
            // Blocking here must not hold up the delivery of the burst's other results, which it waits for.
            var rest = Grid.GetAsync(refs[1..], Timeout).GetAwaiter().GetResult();
            return (first, rest);
        }).WaitAsync(Timeout * 2);
        Assert.Equal(1, first);
        Assert.Equal(Enumerable.Range(2, 299), last);
    }

    [Fact]
    public async Task A_burst_of_calls_to_one_actor_runs_in_submission_order_and_a_failing_call_fails_alone()
    {
        var actor = await Grid.CreateActorAsync(() => new PickyRecorder(13));
        var calls = Enumerable.Range(0, 600).Select(i => actor.Call(a => a.Record(i))).ToArray();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Grid.GetAsync(calls[13], Timeout));
        Assert.Contains("13", e.Message);
        for (var i = 0; i < calls.Length; i++)
            if (i != 13) Assert.Equal(i, await Grid.GetAsync(calls[i], Timeout));
        Assert.Equal(Enumerable.Range(0, 600).Where(i => i != 13), await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_call_in_an_actor_burst_is_answered_while_another_of_the_same_burst_still_runs()
    {
        var gate = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new GatedEcho(), new ActorOptions { MaxConcurrency = 2 });
        // The first call goes alone; the gated call and the quick ones after it travel together.
        var first = actor.Call(a => a.Echo(-1));
        var waiting = actor.Call(a => a.EchoWhenOpened(gate, 7));
        var quick = Enumerable.Range(0, 50).Select(i => actor.Call(a => a.Echo(i))).ToArray();

        Assert.Equal(Enumerable.Range(0, 50), await Grid.GetAsync(quick, Timeout));
        Assert.Equal(-1, await Grid.GetAsync(first, Timeout));
        Assert.Empty((await Grid.WaitAsync([waiting], numReturns: 1, timeout: TimeSpan.Zero)).Ready);
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(7, await Grid.GetAsync(waiting, Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_actors_burst_to_an_actor_on_another_node_with_a_ref_argument_runs_in_order_and_a_failing_call_fails_alone()
    {
        // The caller is an actor, so its calls leave from a node: on the cluster fixture the two actors are pinned to
        // different nodes and the burst's batches cross between silos, where a batch can overtake its predecessor.
        var nodes = (await Grid.GetNodesAsync().WaitAsync(Timeout)).Where(n => n.State == Wire.NodeState.Alive).Select(n => n.NodeId).ToArray();
        ActorOptions On(int i, string name) => new()
        {
            Name = name,
            Scheduling = nodes.Length > 1 ? SchedulingStrategy.NodeAffinity(nodes[i % nodes.Length]) : null,
        };
        var name = "recorder-" + Guid.NewGuid().ToString("N");
        var recorder = await Grid.CreateActorAsync(() => new PickyRecorder(1013), On(0, name));
        var caller = await Grid.CreateActorAsync(() => new BurstCaller(name), On(1, "caller-" + Guid.NewGuid().ToString("N")));

        var outcome = await Grid.GetAsync(caller.Call(c => c.CallInBurst(2000)), Timeout);

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i == 13 ? "refused" : (1000 + i).ToString()), outcome);
        Assert.Equal(Enumerable.Range(1000, 2000).Where(v => v != 1013), await Grid.GetAsync(recorder.Call(a => a.Seen()), Timeout));
        await caller.KillAsync().WaitAsync(Timeout);
        await recorder.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Calls_to_a_killed_actor_in_a_burst_each_fail_with_actor_died()
    {
        var actor = await Grid.CreateActorAsync(() => new PickyRecorder(-1));
        Assert.Equal(1, await Grid.GetAsync(actor.Call(a => a.Record(1)), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
        var calls = Enumerable.Range(0, 20).Select(i => actor.Call(a => a.Record(i))).ToArray();
        foreach (var call in calls) await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(call, Timeout));
    }
}

/// <summary>Records values in call order; refuses one value, to show that a failed call stops nothing else.</summary>
public sealed class PickyRecorder(int refused)
{
    private readonly List<int> _seen = [];

    public int Record(int value)
    {
        if (value == refused) throw new ArgumentException($"{value} is refused");
        _seen.Add(value);
        return value;
    }

    public List<int> Seen() => [.. _seen];

    public int RecordWithOffset(int value, int offset) => Record(value + offset);
}

/// <summary>An actor whose calls answer at once, or once a test opens a gate.</summary>
public sealed class GatedEcho
{
    public int Echo(int value) => value;

    public async Task<int> EchoWhenOpened(string gate, int value)
    {
        await TestFunctions.Gate(gate).Task;
        return value;
    }
}

/// <summary>An actor that calls a named <see cref="PickyRecorder"/> in one burst, each call carrying a ref it put.</summary>
public sealed class BurstCaller(string recorder)
{
    public async Task<string[]> CallInBurst(int count)
    {
        var grid = GridContext.Current.Grid;
        var target = await grid.GetActorAsync<PickyRecorder>(recorder);
        var offset = await grid.PutAsync(1000);
        var calls = Enumerable.Range(0, count).Select(i => target.Call(r => r.RecordWithOffset(i, offset.AsArg()))).ToArray();
        var outcome = new string[count];
        for (var i = 0; i < count; i++)
        {
            try { outcome[i] = (await grid.GetAsync(calls[i], TimeSpan.FromSeconds(60))).ToString(); }
            catch (ArgumentException) { outcome[i] = "refused"; }
        }
        return outcome;
    }
}

[Collection("embedded")]
public sealed class EmbeddedBurstSubmissionTests(EmbeddedGridFixture fixture) : BurstSubmissionTests(fixture);

[Collection("cluster")]
public sealed class ClusterBurstSubmissionTests(ClusterGridFixture fixture) : BurstSubmissionTests(fixture);
