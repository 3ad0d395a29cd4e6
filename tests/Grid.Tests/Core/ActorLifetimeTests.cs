using Grid.Hosting;
using Grid.Testing;
using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.Core;

/// <summary>
/// Ray's actor lifetimes and namespaces: a named actor lives in a namespace (the job's unless given), the same name in
/// two namespaces is two actors; a non-detached actor dies with its owner — its job, or the actor whose code created it
/// when that one dies for good (not when it restarts) — and a detached one outlives both until killed.
/// </summary>
public abstract class ActorLifetimeTests(IGridFixture fixture)
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    protected static string Unique(string what) => $"{what}-{Guid.NewGuid():N}";

    /// <summary>Waits until the GCS records the actor dead (its death is written in the background of a kill), and returns why.</summary>
    protected static async Task<string> DeadAsync<T>(ActorHandle<T> actor) where T : class =>
        (await Eventually.WaitAsync(() => actor.GetInfoAsync(), i => i.State == ActorState.Dead, Timeout, $"{actor} dead")).DeathCause ?? "";

    [Fact]
    public async Task The_same_name_in_two_namespaces_is_two_actors_with_their_own_state()
    {
        var name = Unique("counter");
        var (nsA, nsB) = (Unique("ns-a"), Unique("ns-b"));
        var a = await Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name, Namespace = nsA });
        var b = await Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name, Namespace = nsB });

        Assert.NotEqual(a.ActorId, b.ActorId);
        Assert.Equal(1, await a.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.Equal(10, await b.Call(c => c.Add(10)).GetAsync(Timeout));
        Assert.Equal(3, await (await Grid.GetActorAsync<LifetimeCounter>(name, nsA)).Call(c => c.Add(2)).GetAsync(Timeout));
        Assert.Equal(10, await (await Grid.GetActorAsync<LifetimeCounter>(name, nsB)).Call(c => c.Add(0)).GetAsync(Timeout));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Grid.GetActorAsync<LifetimeCounter>(name)); // not in the client's namespace
        var taken = await Assert.ThrowsAsync<ArgumentException>(() => Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name, Namespace = nsA }));
        Assert.Contains(nsA, taken.Message);
        await a.KillAsync().WaitAsync(Timeout);
        await b.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task GetOrCreate_shares_an_actor_within_a_namespace_and_makes_another_in_another()
    {
        var name = Unique("shared");
        var (nsA, nsB) = (Unique("ns-a"), Unique("ns-b"));
        var first = await Grid.GetOrCreateActorAsync(name, () => new LifetimeCounter(), new ActorOptions { Namespace = nsA });
        var again = await Grid.GetOrCreateActorAsync(name, () => new LifetimeCounter(), new ActorOptions { Namespace = nsA });
        var other = await Grid.GetOrCreateActorAsync(name, () => new LifetimeCounter(), new ActorOptions { Namespace = nsB });

        Assert.Equal(first.ActorId, again.ActorId);
        Assert.NotEqual(first.ActorId, other.ActorId);
        Assert.Equal(1, await first.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.Equal(2, await again.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.Equal(1, await other.Call(c => c.Add(1)).GetAsync(Timeout));
        await first.KillAsync().WaitAsync(Timeout);
        await other.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_blank_namespace_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = "x", Namespace = " " }));
        Assert.Contains("Namespace", error.Message);
        Assert.True(new GridClientOptionsValidator().Validate(null, new GridClientOptions { Namespace = "" }).Failed);
    }

    [Fact]
    public async Task An_actor_created_by_an_actor_dies_when_its_creator_is_killed_unless_detached()
    {
        var parent = await Grid.CreateActorAsync(() => new LifetimeParent());
        var owned = await parent.Call(p => p.CreateChildAsync(ActorLifetime.Job)).GetAsync(Timeout);
        var detached = await parent.Call(p => p.CreateChildAsync(ActorLifetime.Detached)).GetAsync(Timeout);
        // The handles the creator returned are usable here, and the records name the creator as owner.
        Assert.Equal(5, await owned.Call(c => c.Add(5)).GetAsync(Timeout));
        Assert.Equal(7, await detached.Call(c => c.Add(7)).GetAsync(Timeout));
        Assert.Equal(parent.ActorId, (await owned.GetInfoAsync()).OwnerActor);

        await parent.KillAsync(noRestart: true).WaitAsync(Timeout);

        Assert.Contains(parent.ActorId.ToString(), await DeadAsync(owned));
        await Assert.ThrowsAsync<ActorDiedException>(() => owned.Call(c => c.Add(1)).GetAsync(Timeout));
        // Both children were the dead creator's, handled in one pass: the detached one was left alone.
        Assert.Equal(8, await detached.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.NotEqual(ActorState.Dead, (await detached.GetInfoAsync()).State);
        await detached.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_owned_actor_killed_while_its_constructor_runs_stays_dead()
    {
        var (constructing, gate) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        var parent = await Grid.CreateActorAsync(() => new LifetimeParent());
        var child = await parent.Call(p => p.CreateSlowChildAsync(constructing, gate)).GetAsync(Timeout);
        await TestFunctions.Gate(constructing).Task.WaitAsync(Timeout); // its constructor is running

        await parent.KillAsync(noRestart: true).WaitAsync(Timeout);
        Assert.Contains(parent.ActorId.ToString(), await DeadAsync(child));
        TestFunctions.Gate(gate).SetResult(true); // the constructor now finishes: it must not bring the actor back

        await child.Ready.WaitAsync(Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
        await Assert.ThrowsAsync<ActorDiedException>(() => child.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.Equal(ActorState.Dead, (await child.GetInfoAsync()).State);
    }

    [Fact]
    public async Task Fate_sharing_goes_down_the_tree_of_owned_actors()
    {
        var root = await Grid.CreateActorAsync(() => new LifetimeParent());
        var middle = await root.Call(p => p.CreateParentAsync()).GetAsync(Timeout);
        var leaf = await middle.Call(p => p.CreateChildAsync(ActorLifetime.Job)).GetAsync(Timeout);
        Assert.Equal(1, await leaf.Call(c => c.Add(1)).GetAsync(Timeout));

        await root.KillAsync().WaitAsync(Timeout);

        await DeadAsync(middle);
        Assert.Contains(middle.ActorId.ToString(), await DeadAsync(leaf));
    }

    [Fact]
    public async Task A_restart_keeps_the_actors_its_creator_owns_and_a_kill_for_good_ends_them()
    {
        var parent = await Grid.CreateActorAsync(() => new LifetimeParent(), new ActorOptions { MaxRestarts = 1 });
        var child = await parent.Call(p => p.CreateChildAsync(ActorLifetime.Job)).GetAsync(Timeout);
        Assert.Equal(1, await parent.Call(p => p.Bump()).GetAsync(Timeout));

        await parent.KillAsync(noRestart: false).WaitAsync(Timeout);

        // The restarted parent answers with fresh state; no death was recorded, so its child was never asked to die.
        var restarted = await Eventually.WaitAsync(() => parent.GetInfoAsync(), i => i.State == ActorState.Alive && i.RestartCount == 1, Timeout, "the parent restarted");
        Assert.Equal(1, restarted.RestartCount);
        Assert.Equal(1, await parent.Call(p => p.Bump()).GetAsync(Timeout));
        Assert.Equal(3, await child.Call(c => c.Add(3)).GetAsync(Timeout));
        Assert.NotEqual(ActorState.Dead, (await child.GetInfoAsync()).State);

        await parent.KillAsync(noRestart: true).WaitAsync(Timeout);

        await DeadAsync(parent);
        await DeadAsync(child);
        await Assert.ThrowsAsync<ActorDiedException>(() => parent.Call(p => p.Bump()).GetAsync(Timeout));
    }

    [Fact]
    public async Task Kill_without_noRestart_restarts_while_restarts_are_left_and_noRestart_ends_a_named_actor()
    {
        var name = Unique("restartable");
        var actor = await Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name, MaxRestarts = 2 });
        Assert.Equal(4, await actor.Call(c => c.Add(4)).GetAsync(Timeout));

        await actor.KillAsync(noRestart: false).WaitAsync(Timeout);
        await Eventually.WaitAsync(() => actor.GetInfoAsync(), i => i.State == ActorState.Alive && i.RestartCount == 1, Timeout, "the actor restarted");
        Assert.Equal(1, await actor.Call(c => c.Add(1)).GetAsync(Timeout)); // its constructor ran again
        Assert.Equal(actor.ActorId, (await Grid.GetActorAsync<LifetimeCounter>(name)).ActorId); // and it kept its name

        await actor.KillAsync(noRestart: true).WaitAsync(Timeout);
        await DeadAsync(actor);
        await Assert.ThrowsAsync<ActorDiedException>(() => actor.Call(c => c.Add(1)).GetAsync(Timeout));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Grid.GetActorAsync<LifetimeCounter>(name));
    }
}

/// <summary>A counter: each instance's state is its own, and a restart starts it again at 0.</summary>
public sealed class LifetimeCounter
{
    private int _total;

    public int Add(int value) => _total += value;
}

/// <summary>A counter whose constructor blocks until a gate opens.</summary>
public sealed class SlowCounter
{
    private int _total;

    public SlowCounter(string constructing, string gate)
    {
        TestFunctions.Gate(constructing).TrySetResult(true);
        TestFunctions.Gate(gate).Task.Wait(TimeSpan.FromSeconds(60));
    }

    public int Add(int value) => _total += value;
}

/// <summary>An actor that creates actors (it owns them) and has state of its own.</summary>
public sealed class LifetimeParent
{
    private int _bumps;

    public int Bump() => ++_bumps;

    public async Task<ActorHandle<LifetimeCounter>> CreateChildAsync(ActorLifetime lifetime) =>
        await GridContext.Current.Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Lifetime = lifetime });

    /// <summary>Creates a child whose constructor opens <paramref name="constructing"/> and waits for <paramref name="gate"/>.</summary>
    public async Task<ActorHandle<SlowCounter>> CreateSlowChildAsync(string constructing, string gate) =>
        await GridContext.Current.Grid.CreateActorAsync(() => new SlowCounter(constructing, gate));

    public async Task<ActorHandle<LifetimeParent>> CreateParentAsync() =>
        await GridContext.Current.Grid.CreateActorAsync(() => new LifetimeParent());

    /// <summary>Creates a named actor without naming a namespace: it lands in the job's.</summary>
    public async Task<string> CreateNamedAsync(string name)
    {
        await GridContext.Current.Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name });
        return GridContext.Current.Grid.Namespace;
    }
}

public static class LifetimeFunctions
{
    /// <summary>Creates a named actor in a task, in the job's namespace, and returns that namespace as the task sees it.</summary>
    public static async Task<string> CreateNamed(string name)
    {
        await GridContext.Current.Grid.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name, Lifetime = ActorLifetime.Detached });
        return GridContext.Current.Grid.Namespace;
    }
}

[Collection("embedded")]
public sealed class EmbeddedActorLifetimeTests(EmbeddedGridFixture fixture) : ActorLifetimeTests(fixture);

/// <summary>Also what needs a second client (another job): its namespace, its end.</summary>
[Collection("cluster")]
public sealed class ClusterActorLifetimeTests(ClusterGridFixture fixture) : ActorLifetimeTests(fixture)
{
    private Task<GridClient> ConnectAsync(string? ns = null) =>
        fixture.ConnectClientAsync(ns is null ? new GridClientOptions() : new GridClientOptions { Namespace = ns });

    [Fact]
    public async Task A_detached_actor_outlives_its_creating_client_and_a_job_owned_one_dies_with_it()
    {
        var ns = Unique("ns");
        var (keep, gone) = (Unique("keep"), Unique("gone"));
        var creator = await ConnectAsync(ns);
        await creator.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = keep, Lifetime = ActorLifetime.Detached });
        await creator.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = gone });
        var parent = await creator.CreateActorAsync(() => new LifetimeParent());
        var grandchild = await parent.Call(p => p.CreateChildAsync(ActorLifetime.Job)).GetAsync(Timeout);
        var observed = await Grid.GetActorAsync<LifetimeCounter>(gone, ns);
        Assert.Equal(2, await observed.Call(c => c.Add(2)).GetAsync(Timeout));
        Assert.Equal(1, await grandchild.Call(c => c.Add(1)).GetAsync(Timeout));

        await creator.DisposeAsync();

        Assert.Contains("ended", await DeadAsync(observed));
        await Assert.ThrowsAsync<ActorDiedException>(() => observed.Call(c => c.Add(1)).GetAsync(Timeout));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Grid.GetActorAsync<LifetimeCounter>(gone, ns));
        await DeadAsync(parent);
        await DeadAsync(grandchild);
        var kept = await Grid.GetActorAsync<LifetimeCounter>(keep, ns);
        Assert.Equal(5, await kept.Call(c => c.Add(5)).GetAsync(Timeout));
        await kept.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task The_client_namespace_is_where_its_named_actors_are_created_and_found()
    {
        var ns = Unique("team");
        var name = Unique("counter");
        var client = await ConnectAsync(ns);
        Assert.Equal(ns, client.Namespace);
        Assert.Equal("default", Grid.Namespace);

        var created = await client.CreateActorAsync(() => new LifetimeCounter(), new ActorOptions { Name = name });

        Assert.Equal(ns, (await created.GetInfoAsync()).Namespace);
        Assert.Equal(created.ActorId, (await client.GetActorAsync<LifetimeCounter>(name)).ActorId);
        Assert.Equal(created.ActorId, (await Grid.GetActorAsync<LifetimeCounter>(name, ns)).ActorId);
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Grid.GetActorAsync<LifetimeCounter>(name));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => client.GetActorAsync<LifetimeCounter>(name, "default"));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task GetOrCreate_shares_across_clients_of_one_namespace_and_not_with_another()
    {
        var ns = Unique("shared");
        var name = Unique("counter");
        var one = await ConnectAsync(ns);
        var two = await ConnectAsync(ns);
        var elsewhere = await ConnectAsync(Unique("elsewhere"));

        var fromOne = await one.GetOrCreateActorAsync(name, () => new LifetimeCounter(), new ActorOptions { Lifetime = ActorLifetime.Detached });
        var fromTwo = await two.GetOrCreateActorAsync(name, () => new LifetimeCounter());
        var fromElsewhere = await elsewhere.GetOrCreateActorAsync(name, () => new LifetimeCounter());

        Assert.Equal(fromOne.ActorId, fromTwo.ActorId);
        Assert.NotEqual(fromOne.ActorId, fromElsewhere.ActorId);
        Assert.Equal(1, await fromOne.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.Equal(3, await fromTwo.Call(c => c.Add(2)).GetAsync(Timeout));
        Assert.Equal(2, await fromElsewhere.Call(c => c.Add(2)).GetAsync(Timeout));
        await fromOne.KillAsync().WaitAsync(Timeout);
        foreach (var client in new[] { one, two, elsewhere }) await client.DisposeAsync();
    }

    [Fact]
    public async Task Tasks_and_actors_of_a_job_create_named_actors_in_its_namespace()
    {
        var ns = Unique("jobns");
        var (byTask, byActor) = (Unique("by-task"), Unique("by-actor"));
        var client = await ConnectAsync(ns);

        Assert.Equal(ns, await client.Function<string, string>(LifetimeFunctions.CreateNamed).Remote(byTask).GetAsync(Timeout));
        var parent = await client.CreateActorAsync(() => new LifetimeParent());
        Assert.Equal(ns, await parent.Call(p => p.CreateNamedAsync(byActor)).GetAsync(Timeout));

        var fromTask = await Grid.GetActorAsync<LifetimeCounter>(byTask, ns);
        Assert.Equal(1, await fromTask.Call(c => c.Add(1)).GetAsync(Timeout));
        Assert.Equal(1, await (await client.GetActorAsync<LifetimeCounter>(byActor)).Call(c => c.Add(1)).GetAsync(Timeout));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Grid.GetActorAsync<LifetimeCounter>(byTask));
        await fromTask.KillAsync().WaitAsync(Timeout);
        await client.DisposeAsync();
    }
}
