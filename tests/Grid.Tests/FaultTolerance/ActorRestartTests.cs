using Grid.Silo;
using Grid.Testing;
using Grid.Wire;
using static Grid.Tests.FaultTolerance.RestartCluster;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// Actor fault tolerance with Ray's semantics on three real silos, killing the silo an actor lives on: restarts
/// (MaxRestarts) rebuild the actor elsewhere with fresh state and keep its name; calls in flight fail unless
/// MaxTaskRetries resends them, in order; the last allowed death ends the actor and releases its name.
/// </summary>
[Collection("node-kills")]
public sealed class ActorRestartTests
{
    [Fact]
    public async Task An_actor_whose_node_dies_restarts_on_another_node_with_fresh_state_and_its_name_while_calls_in_flight_fail()
    {
        await using var cluster = await StartAsync();
        Journal.Reset(heldNumber: 100);
        var journal = await cluster.Grid.CreateActorAsync(() => new Journal(), OnSecondary(new ActorOptions { MaxConcurrency = 1, Name = "journal", MaxRestarts = 1 }));
        var before = new List<int>();
        for (var i = 0; i < 5; i++) before.Add(await journal.Call(j => j.AppendAsync(i)).GetAsync(Patience));
        Assert.Equal([1, 2, 3, 4, 5], before); // results before the death are contiguous
        var held = journal.Call(j => j.AppendAsync(100));
        var queued = journal.Call(j => j.AppendAsync(101));
        await Journal.HeldStarted.Task.WaitAsync(Patience);

        var dead = await cluster.KillNodeOfAsync(journal);

        // Without MaxTaskRetries the calls that were in flight fail, with the actor's death as the reason.
        var heldError = await Assert.ThrowsAsync<ActorDiedException>(() => held.GetAsync(Patience));
        Assert.Contains("in flight", heldError.Message);
        await Assert.ThrowsAsync<ActorDiedException>(() => queued.GetAsync(Patience));
        Journal.Hold.TrySetResult();

        var info = await AliveAfterAsync(journal, restarts: 1);
        Assert.NotEqual(dead, info.Node);
        Assert.Contains(dead.Value, info.DeathCause);
        Assert.Equal(info.Node!.Value.Value, await journal.Call(j => j.Node()).GetAsync(Patience));
        Assert.Empty(await journal.Call(j => j.Seen()).GetAsync(Patience)); // the constructor ran again: state reset
        var byName = await cluster.Grid.GetActorAsync<Journal>("journal");
        Assert.Equal(journal.ActorId, byName.ActorId);
        Assert.Equal(1, await byName.Call(j => j.AppendAsync(7)).GetAsync(Patience));
    }

    [Fact]
    public async Task The_death_after_the_last_allowed_restart_ends_the_actor_and_releases_its_name()
    {
        await using var cluster = await StartAsync();
        Journal.Reset(heldNumber: -1);
        var journal = await cluster.Grid.CreateActorAsync(() => new Journal(), OnSecondary(new ActorOptions { MaxConcurrency = 1, Name = "once", MaxRestarts = 1 }));
        Assert.Equal(1, await journal.Call(j => j.AppendAsync(1)).GetAsync(Patience));
        await cluster.KillNodeOfAsync(journal);
        await AliveAfterAsync(journal, restarts: 1);
        Assert.Equal(1, await journal.Call(j => j.AppendAsync(2)).GetAsync(Patience));

        var second = await cluster.KillNodeOfAsync(journal);

        var info = await Eventually.WaitAsync(() => journal.GetInfoAsync(), i => i.State == ActorState.Dead, Patience, "the actor dead");
        Assert.Equal(1, info.RestartCount);
        Assert.Contains(second.Value, info.DeathCause);
        var error = await Assert.ThrowsAsync<ActorDiedException>(() => journal.Call(j => j.AppendAsync(3)).GetAsync(Patience));
        Assert.Contains(second.Value, error.Message);
        await Assert.ThrowsAsync<ActorNotFoundException>(() => cluster.Grid.GetActorAsync<Journal>("once"));
        var successor = await cluster.Grid.CreateActorAsync(() => new Journal(), new ActorOptions { MaxConcurrency = 1, Name = "once" });
        Assert.Equal(1, await successor.Call(j => j.AppendAsync(1)).GetAsync(Patience));
    }

    [Fact]
    public async Task With_unlimited_task_retries_a_caller_sees_no_failed_call_and_its_order_holds_across_a_node_kill()
    {
        const int Calls = 2_000, HeldAt = 700;
        await using var cluster = await StartAsync();
        Journal.Reset(heldNumber: HeldAt);
        var journal = await cluster.Grid.CreateActorAsync(() => new Journal(),
            OnSecondary(new ActorOptions { MaxConcurrency = 1, MaxRestarts = -1, MaxTaskRetries = -1 }));
        await journal.Ready;
        var results = new ObjectRef<int>[Calls];
        for (var i = 0; i < Calls; i++)
        {
            var n = i;
            results[i] = journal.Call(j => j.AppendAsync(n));
        }
        await Journal.HeldStarted.Task.WaitAsync(Patience); // 0..699 ran; 700 runs; the rest wait behind it
        var before = await cluster.Grid.GetAsync(results.Take(HeldAt), Patience); // and their results arrived

        await cluster.KillNodeOfAsync(journal);
        Journal.Hold.TrySetResult();

        var values = await cluster.Grid.GetAsync(results, Patience); // no call fails
        Assert.Equal(Enumerable.Range(1, HeldAt), before);
        Assert.Equal(before, values.Take(HeldAt));
        var seen = await journal.Call(j => j.Seen()).GetAsync(Patience);
        // The new incarnation ran the unfinished calls, resent in the caller's order, then nothing else.
        Assert.Equal(Enumerable.Range(HeldAt, Calls - HeldAt), seen);
        Assert.Equal(Enumerable.Range(1, Calls - HeldAt), values.Skip(HeldAt));
        Assert.Equal(1, (await journal.GetInfoAsync()).RestartCount);
    }

    [Fact]
    public async Task KillAsync_without_noRestart_restarts_a_restartable_actor_and_counts_it()
    {
        await using var cluster = await StartAsync();
        Journal.Reset(heldNumber: -1);
        var journal = await cluster.Grid.CreateActorAsync(() => new Journal(), new ActorOptions { MaxConcurrency = 1, Name = "kept", MaxRestarts = 2 });
        Assert.Equal(1, await journal.Call(j => j.AppendAsync(1)).GetAsync(Patience));

        await journal.KillAsync(noRestart: false);

        var info = await AliveAfterAsync(journal, restarts: 1);
        Assert.Contains("noRestart: false", info.DeathCause);
        Assert.Equal(1, await journal.Call(j => j.AppendAsync(2)).GetAsync(Patience)); // fresh state
        Assert.Equal(journal.ActorId, (await cluster.Grid.GetActorAsync<Journal>("kept")).ActorId);

        await journal.KillAsync(); // noRestart: true ends it although restarts are left

        var error = await Assert.ThrowsAsync<ActorDiedException>(() => journal.Call(j => j.AppendAsync(3)).GetAsync(Patience));
        Assert.Contains("killed by its handle", error.Message);
        Assert.Equal(ActorState.Dead, (await journal.GetInfoAsync()).State);
        await Assert.ThrowsAsync<ActorNotFoundException>(() => cluster.Grid.GetActorAsync<Journal>("kept"));
    }

    [Fact]
    public async Task A_named_actor_that_dies_with_its_node_releases_its_name_at_once()
    {
        await using var cluster = await StartAsync();
        Journal.Reset(heldNumber: -1);
        var journal = await cluster.Grid.CreateActorAsync(() => new Journal(), OnSecondary(new ActorOptions { MaxConcurrency = 1, Name = "mortal" }));
        Assert.Equal(1, await journal.Call(j => j.AppendAsync(1)).GetAsync(Patience));

        var dead = await cluster.KillNodeOfAsync(journal);

        await Eventually.WaitAsync(() => journal.GetInfoAsync(), i => i.State == ActorState.Dead, Patience, "the actor recorded dead");
        var error = await Assert.ThrowsAsync<ActorDiedException>(() => journal.Call(j => j.AppendAsync(2)).GetAsync(Patience));
        Assert.Contains(dead.Value, error.Message);
        await Assert.ThrowsAsync<ActorNotFoundException>(() => cluster.Grid.GetActorAsync<Journal>("mortal"));
        var successor = await cluster.Grid.CreateActorAsync(() => new Journal(), OnSecondary(new ActorOptions { MaxConcurrency = 1, Name = "mortal" }));
        Assert.Equal(1, await successor.Call(j => j.AppendAsync(1)).GetAsync(Patience));
    }

    [Theory]
    [InlineData(-2, 0)]
    [InlineData(0, -2)]
    public async Task Restart_options_below_minus_one_are_refused_with_the_option_named(int maxRestarts, int maxTaskRetries)
    {
        await using var grid = await GridClient.StartLocalAsync(node => node.NumCpus = 1);
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            grid.CreateActorAsync(() => new Journal(), new ActorOptions { MaxConcurrency = 1, MaxRestarts = maxRestarts, MaxTaskRetries = maxTaskRetries }));
        Assert.Contains(maxRestarts < -1 ? "MaxRestarts" : "MaxTaskRetries", error.Message);
    }
}
