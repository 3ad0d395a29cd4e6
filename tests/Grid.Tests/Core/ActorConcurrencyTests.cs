using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// How an actor runs its methods: up to MaxConcurrency at once (blocking and asynchronous methods alike), always off
/// the silo's grain scheduler, and in its own GridContext. Ray's defaults are in ConcurrencyGroupTests.
/// </summary>
public abstract class ActorConcurrencyTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task An_actor_with_max_concurrency_two_runs_two_blocking_methods_at_once()
    {
        var actor = await Grid.CreateActorAsync(() => new Rendezvous(2), new ActorOptions { MaxConcurrency = 2 });
        // Each call blocks its thread until both have arrived: only two running at once can finish.
        var first = actor.Call(a => a.Meet());
        var second = actor.Call(a => a.Meet());
        var met = await Grid.GetAsync([first, second]).WaitAsync(Timeout);
        Assert.Equal(new[] { true, true }, met);
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_asynchronous_method_of_a_concurrent_actor_lets_a_later_call_run_while_it_waits()
    {
        var actor = await Grid.CreateActorAsync(() => new Signal(), new ActorOptions { MaxConcurrency = 2 });
        var waiting = actor.Call(a => a.WaitAsync());
        var signal = actor.Call(a => a.Set(5));
        Assert.Equal(5, await Grid.GetAsync(waiting, Timeout));
        Assert.True(await Grid.GetAsync(signal, Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_actor_with_max_concurrency_one_finishes_an_asynchronous_method_before_starting_the_next()
    {
        var actor = await Grid.CreateActorAsync(() => new Recorder(), new ActorOptions { MaxConcurrency = 1 });
        var gate = Guid.NewGuid().ToString("N");
        var slow = actor.Call(a => a.RecordWhenOpened(gate, 1));
        var next = actor.Call(a => a.Record(2));
        // Were the second call started while the first awaits its gate, it would be recorded first.
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(2, await Grid.GetAsync(next, Timeout));
        Assert.Equal(1, await Grid.GetAsync(slow, Timeout));
        var seen = await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout);
        Assert.Equal(new List<int> { 1, 2 }, seen);
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Killing_an_actor_fails_the_call_it_is_running_at_once_and_the_calls_queued_behind_it()
    {
        var (started, gate) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        var actor = await Grid.CreateActorAsync(() => new Recorder());
        var running = actor.Call(a => a.SignalThenBlock(started, gate, 1));
        var queued = actor.Call(a => a.Record(2));
        await TestFunctions.Gate(started).Task.WaitAsync(Timeout);

        await actor.KillAsync().WaitAsync(Timeout);

        // The method is still blocked (its gate is shut, and it would hold its thread for 60 s): both failures can only
        // come from the kill, not from the method's return freeing the queue.
        var cut = await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(running, TimeSpan.FromSeconds(30)));
        Assert.Contains("was killed", cut.Message);
        var behind = await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(queued, TimeSpan.FromSeconds(30)));
        Assert.Contains("did not run", behind.Message);
        Assert.False(TestFunctions.Gate(gate).Task.IsCompleted);
        TestFunctions.Gate(gate).SetResult(true); // frees the pool thread the method holds
    }

    [Fact]
    public async Task A_method_blocked_in_one_actor_does_not_stop_other_actors()
    {
        var gate = Guid.NewGuid().ToString("N");
        var blocked = await Grid.CreateActorAsync(() => new Recorder());
        var free = await Grid.CreateActorAsync(() => new Recorder());
        var stuck = blocked.Call(a => a.BlockUntilOpened(gate, 1));
        var calls = Enumerable.Range(0, 100).Select(i => free.Call(a => a.Record(i))).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), await Grid.GetAsync(calls).WaitAsync(Timeout));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(stuck, Timeout));
        await blocked.KillAsync().WaitAsync(Timeout);
        await free.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Calls_made_right_after_looking_up_a_named_actor_run_in_submission_order()
    {
        var name = "recorder-" + Guid.NewGuid().ToString("N");
        var created = await Grid.CreateActorAsync(() => new Recorder(), new ActorOptions { Name = name });
        await created.Ready.WaitAsync(Timeout);
        var found = await Grid.GetActorAsync<Recorder>(name).WaitAsync(Timeout);
        var calls = Enumerable.Range(0, 300).Select(i => found.Call(a => a.Record(i))).ToArray();
        Assert.Equal(Enumerable.Range(0, 300), await Grid.GetAsync(calls).WaitAsync(Timeout));
        var seen = await Grid.GetAsync(created.Call(a => a.Seen()), Timeout);
        Assert.Equal(Enumerable.Range(0, 300), seen);
        await created.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_burst_of_calls_with_ready_and_pending_ref_arguments_gets_each_value_in_submission_order()
    {
        var actor = await Grid.CreateActorAsync(() => new Recorder());
        var gate = Guid.NewGuid().ToString("N");
        var late = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 }).Remote(gate, 50);
        var values = new List<ObjectRef<int>>();
        for (var i = 0; i < 100; i++) values.Add(i == 50 ? late : await Grid.PutAsync(i).WaitAsync(Timeout));
        var calls = values.Select(v => actor.Call(a => a.Record(v.AsArg()))).ToArray();
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(Enumerable.Range(0, 100), await Grid.GetAsync(calls).WaitAsync(Timeout));
        var seen = await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout);
        Assert.Equal(Enumerable.Range(0, 100), seen);
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Code_that_resumes_after_an_actor_call_and_blocks_on_another_call_to_that_actor_gets_it()
    {
        var actor = await Grid.CreateActorAsync(() => new Recorder());
        // The first await may resume on the thread that ran the call (a local call's result): blocking that thread on
        // the next call must not stall the actor.
        var run = Task.Run(async () =>
        {
            var got = new List<int>();
            for (var i = 1; i <= 20; i++)
            {
                got.Add(await actor.Call(a => a.Record(i)));
                got.Add(actor.Call(a => a.Record(-i)).GetAsync().GetAwaiter().GetResult());
            }
            return got;
        });
        var expected = Enumerable.Range(1, 20).SelectMany(i => new[] { i, -i });
        Assert.Equal(expected, await run.WaitAsync(Timeout));
        Assert.Equal(expected, await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Calls_queued_behind_a_blocked_method_fail_with_ActorDiedException_when_the_actor_is_killed()
    {
        var actor = await Grid.CreateActorAsync(() => new Recorder());
        var gate = Guid.NewGuid().ToString("N");
        await Grid.GetAsync(actor.Call(a => a.Record(0)), Timeout); // built and taking calls
        var stuck = actor.Call(a => a.BlockUntilOpened(gate, 1));
        var queued = Enumerable.Range(2, 10).Select(i => actor.Call(a => a.Record(i))).ToArray();
        await actor.KillAsync().WaitAsync(Timeout);
        TestFunctions.Gate(gate).SetResult(true);
        foreach (var call in queued)
            await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(call, Timeout));
        // The method that was running when the actor died ends either way: it is not left hanging.
        try { Assert.Equal(1, await Grid.GetAsync(stuck, Timeout)); }
        catch (ActorDiedException) { }
        await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(actor.Call(a => a.Record(99)), Timeout));
    }

    [Fact]
    public async Task A_task_calling_an_actor_gets_its_calls_run_in_order_with_the_drivers_calls()
    {
        var name = "recorder-" + Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new Recorder(), new ActorOptions { Name = name });
        await actor.Ready.WaitAsync(Timeout);
        var fromTask = Grid.Function<string, int, int[]>(TestFunctions.CallRecorder).Remote(name, 100);
        var fromDriver = Enumerable.Range(1000, 100).Select(i => actor.Call(a => a.Record(i))).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), await Grid.GetAsync(fromTask, Timeout));
        Assert.Equal(Enumerable.Range(1000, 100), await Grid.GetAsync(fromDriver).WaitAsync(Timeout));
        var seen = await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout);
        // Each caller's calls in its own order, whatever the interleaving of the two.
        Assert.Equal(Enumerable.Range(0, 100), seen.Where(v => v < 1000));
        Assert.Equal(Enumerable.Range(1000, 100), seen.Where(v => v >= 1000));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Actor_methods_see_their_actor_in_the_grid_context()
    {
        var actor = await Grid.CreateActorAsync(() => new Recorder());
        var ids = Enumerable.Range(0, 50).Select(_ => actor.Call(a => a.MyActorId())).ToArray();
        Assert.All(await Grid.GetAsync(ids).WaitAsync(Timeout), id => Assert.Equal(actor.ActorId.Value, id));
        await actor.KillAsync().WaitAsync(Timeout);
    }
}

/// <summary>Its method blocks until <c>parties</c> calls are inside it at once.</summary>
public sealed class Rendezvous(int parties)
{
    private readonly CountdownEvent _arrived = new(parties);

    public bool Meet()
    {
        _arrived.Signal();
        return _arrived.Wait(TimeSpan.FromSeconds(30));
    }
}

/// <summary>One asynchronous method waits for another call to set a value.</summary>
public sealed class Signal
{
    private readonly TaskCompletionSource<int> _value = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<int> WaitAsync() => await _value.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public bool Set(int value) => _value.TrySetResult(value);
}

[Collection("embedded")]
public sealed class EmbeddedActorConcurrencyTests(EmbeddedGridFixture fixture) : ActorConcurrencyTests(fixture);

[Collection("cluster")]
public sealed class ClusterActorConcurrencyTests(ClusterGridFixture fixture) : ActorConcurrencyTests(fixture);
