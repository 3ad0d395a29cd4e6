using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Actor handles travel as Ray's do: passed to a task or to another actor (alone or inside a value), or returned from
/// a task, they reach the same actor, and calls through them run there.
/// </summary>
public abstract class ActorHandlePassingTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_handle_passed_to_a_task_calls_the_same_actor_from_there()
    {
        var recorder = await Grid.CreateActorAsync(() => new Recorder());
        var through = Grid.Function<ActorHandle<Recorder>, int, int>(HandleFunctions.RecordThrough);

        Assert.Equal(7, await Grid.GetAsync(through.Remote(recorder, 7), Timeout));
        Assert.Equal(8, await Grid.GetAsync(through.Remote(recorder, 8), Timeout));

        Assert.Equal(new List<int> { 7, 8 }, await Grid.GetAsync(recorder.Call(r => r.Seen()), Timeout));
        await recorder.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_handle_passed_to_another_actor_and_inside_a_list_reaches_the_actor()
    {
        var first = await Grid.CreateActorAsync(() => new Recorder());
        var second = await Grid.CreateActorAsync(() => new Recorder());
        var relay = await Grid.CreateActorAsync(() => new Relay());

        Assert.Equal(5, await Grid.GetAsync(relay.Call(r => r.Forward(first, 5)), Timeout));
        Assert.Equal(2, await Grid.GetAsync(relay.Call(r => r.Broadcast(new List<ActorHandle<Recorder>> { first, second }, 6)), Timeout));

        Assert.Equal(new List<int> { 5, 6 }, await Grid.GetAsync(first.Call(r => r.Seen()), Timeout));
        Assert.Equal(new List<int> { 6 }, await Grid.GetAsync(second.Call(r => r.Seen()), Timeout));
        foreach (var actor in new[] { first, second }) await actor.KillAsync().WaitAsync(Timeout);
        await relay.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_handle_returned_by_the_task_that_created_the_actor_is_usable_by_the_driver()
    {
        var made = await Grid.GetAsync(Grid.Function(HandleFunctions.MakeRecorder).Remote(), Timeout);

        Assert.Equal(3, await Grid.GetAsync(made.Call(r => r.Record(3)), Timeout));
        Assert.Equal(new List<int> { 3 }, await Grid.GetAsync(made.Call(r => r.Seen()), Timeout));
        await made.KillAsync().WaitAsync(Timeout);
    }
}

public static class HandleFunctions
{
    public static async Task<int> RecordThrough(ActorHandle<Recorder> recorder, int value) => await recorder.Call(r => r.Record(value));

    public static async Task<ActorHandle<Recorder>> MakeRecorder() => await GridContext.Current.Grid.CreateActorAsync(() => new Recorder());
}

/// <summary>Calls other actors through the handles it is given.</summary>
public sealed class Relay
{
    public async Task<int> Forward(ActorHandle<Recorder> target, int value) => await target.Call(r => r.Record(value));

    public async Task<int> Broadcast(List<ActorHandle<Recorder>> targets, int value)
    {
        foreach (var target in targets) await target.Call(r => r.Record(value));
        return targets.Count;
    }
}

[Collection("embedded")]
public sealed class EmbeddedActorHandlePassingTests(EmbeddedGridFixture fixture) : ActorHandlePassingTests(fixture);

[Collection("cluster")]
public sealed class ClusterActorHandlePassingTests(ClusterGridFixture fixture) : ActorHandlePassingTests(fixture);
