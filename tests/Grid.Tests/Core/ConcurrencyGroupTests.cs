using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Async actors and concurrency groups, as Ray's: an async actor interleaves its methods on its own event loop (one
/// piece of its code at a time, 1000 in progress by default); named groups have limits of their own, and a group that
/// is full or blocked holds up neither another group nor the default one. Gates (TestFunctions.Gate) stand for Ray's
/// SignalActor.
/// </summary>
public abstract class ConcurrencyGroupTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task An_async_actor_interleaves_its_methods_by_default()
    {
        var actor = await Grid.CreateActorAsync(() => new Signal());
        var waiting = actor.Call(a => a.WaitAsync()); // would hold a one-at-a-time actor until it timed out
        var signal = actor.Call(a => a.Set(5));
        Assert.True(await Grid.GetAsync(signal, Timeout));
        Assert.Equal(5, await Grid.GetAsync(waiting, Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_async_actor_runs_one_piece_of_its_code_at_a_time()
    {
        var actor = await Grid.CreateActorAsync(() => new Interleaver());
        var calls = Enumerable.Range(0, 40).Select(_ => actor.Call(a => a.StepAsync(20))).ToArray();
        await Grid.GetAsync(calls).WaitAsync(Timeout);
        var (mostInside, mostInProgress) = await Grid.GetAsync(actor.Call(a => a.Observed()), Timeout);
        Assert.Equal(1, mostInside);          // never two methods' code at once: no lock needed in an async actor
        Assert.True(mostInProgress > 1);      // yet they interleaved at their awaits
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_blocked_group_holds_up_neither_another_group_nor_the_default_group()
    {
        var gate = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new GroupedWorker());
        var firstIo = actor.Call(a => a.IoAsync(gate, 1));   // holds the io group (limit 1) until the gate opens
        var secondIo = actor.Call(a => a.IoAsync(gate, 2));  // queued behind it in its group

        Assert.Equal(10, await Grid.GetAsync(actor.Call(a => a.Compute(10)), Timeout));
        Assert.Equal(20, await Grid.GetAsync(actor.Call(a => a.Plain(20)), Timeout));
        Assert.Empty((await Grid.WaitAsync([firstIo, secondIo], numReturns: 2, timeout: TimeSpan.Zero)).Ready);

        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(new[] { 1, 2 }, await Grid.GetAsync([firstIo, secondIo]).WaitAsync(Timeout));
        Assert.Equal(new List<int> { 1, 2 }, await Grid.GetAsync(actor.Call(a => a.IoOrder()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_threaded_actor_blocked_in_one_group_still_runs_its_default_group()
    {
        var gate = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new ThreadedWorker());
        var blocked = actor.Call(a => a.BlockIo(gate));     // blocks a thread of the io group
        Assert.Equal(3, await Grid.GetAsync(actor.Call(a => a.Plain(3)), Timeout));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.True(await Grid.GetAsync(blocked, Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_call_option_moves_one_call_to_another_group()
    {
        var gate = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new ThreadedWorker());
        var blocked = actor.Call(a => a.BlockPlain(gate)); // the default group (limit 1) is blocked
        var moved = actor.Call(a => a.Plain(7), new ActorCallOptions { ConcurrencyGroup = "io" });
        Assert.Equal(7, await Grid.GetAsync(moved, Timeout));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.True(await Grid.GetAsync(blocked, Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Actor_options_add_a_group_and_an_unknown_group_is_a_clear_error()
    {
        var gate = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new ThreadedWorker(),
            new ActorOptions { ConcurrencyGroups = new Dictionary<string, int> { ["extra"] = 1 } });
        var blocked = actor.Call(a => a.BlockPlain(gate));
        Assert.Equal(4, await Grid.GetAsync(actor.Call(a => a.Plain(4), new ActorCallOptions { ConcurrencyGroup = "extra" }), Timeout));

        var error = await Assert.ThrowsAsync<ConcurrencyGroupNotFoundException>(() =>
            Grid.GetAsync(actor.Call(a => a.Plain(5), new ActorCallOptions { ConcurrencyGroup = "nope" }), Timeout));
        Assert.Contains("'nope'", error.Message);
        Assert.Contains("extra", error.Message);
        TestFunctions.Gate(gate).SetResult(true);
        Assert.True(await Grid.GetAsync(blocked, Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Calls_in_a_group_of_one_keep_their_callers_order()
    {
        var actor = await Grid.CreateActorAsync(() => new GroupedWorker());
        var calls = Enumerable.Range(1, 20).Select(i => actor.Call(a => a.IoAsync("", i))).ToArray();
        Assert.Equal(Enumerable.Range(1, 20).ToArray(), await Grid.GetAsync(calls).WaitAsync(Timeout));
        Assert.Equal(Enumerable.Range(1, 20).ToList(), await Grid.GetAsync(actor.Call(a => a.IoOrder()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Killing_an_async_actor_fails_its_interleaved_calls_at_once()
    {
        var gate = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new GroupedWorker());
        var waiting = Enumerable.Range(0, 3).Select(i => actor.Call(a => a.PlainWaitAsync(gate, i))).ToArray();
        Assert.Equal(5, await Grid.GetAsync(actor.Call(a => a.Plain(5)), Timeout)); // all three are in progress
        await actor.KillAsync().WaitAsync(Timeout);
        foreach (var call in waiting) await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(call, Timeout));
        TestFunctions.Gate(gate).SetResult(true);
    }
}

/// <summary>Counts how many calls are inside its code at once, and how many are in progress (awaiting included).</summary>
public sealed class Interleaver
{
    private int _inside, _inProgress, _mostInside, _mostInProgress;

    public async Task<int> StepAsync(int steps)
    {
        _inProgress++;
        _mostInProgress = Math.Max(_mostInProgress, _inProgress);
        for (var i = 0; i < steps; i++)
        {
            // Unsynchronised on purpose: on an event loop nothing else runs between these lines.
            _inside++;
            _mostInside = Math.Max(_mostInside, _inside);
            Thread.SpinWait(2000);
            _inside--;
            await Task.Yield();
        }
        _inProgress--;
        return steps;
    }

    public (int, int) Observed() => (_mostInside, _mostInProgress);
}

[ConcurrencyGroup("io", 1)]
[ConcurrencyGroup("compute", 2)]
public sealed class GroupedWorker
{
    private readonly List<int> _io = [];

    [ActorMethod(ConcurrencyGroup = "io")]
    public async Task<int> IoAsync(string gate, int value)
    {
        if (gate.Length > 0) await TestFunctions.Gate(gate).Task;
        else await Task.Yield();
        _io.Add(value);
        return value;
    }

    [ActorMethod(ConcurrencyGroup = "compute")]
    public int Compute(int value) => value;

    public int Plain(int value) => value;

    public async Task<int> PlainWaitAsync(string gate, int value)
    {
        await TestFunctions.Gate(gate).Task;
        return value;
    }

    [ActorMethod(ConcurrencyGroup = "io")]
    public List<int> IoOrder() => [.. _io];
}

/// <summary>A sync actor (no async methods): its groups run threads.</summary>
[ConcurrencyGroup("io", 2)]
public sealed class ThreadedWorker
{
    [ActorMethod(ConcurrencyGroup = "io")]
    public bool BlockIo(string gate) => TestFunctions.Gate(gate).Task.Wait(TimeSpan.FromSeconds(60));

    public bool BlockPlain(string gate) => TestFunctions.Gate(gate).Task.Wait(TimeSpan.FromSeconds(60));

    public int Plain(int value) => value;
}

[Collection("embedded")]
public sealed class EmbeddedConcurrencyGroupTests(EmbeddedGridFixture fixture) : ConcurrencyGroupTests(fixture);

[Collection("cluster")]
public sealed class ClusterConcurrencyGroupTests(ClusterGridFixture fixture) : ConcurrencyGroupTests(fixture);
