using System.Reflection;
using Grid.Core;
using Grid.Functions;
using Grid.Tests.Core;
using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.Hostile;

/// <summary>
/// Values and calls a user gets wrong, through every entry point (tasks, actor constructors and calls, puts, the
/// untyped submission paths, and hand-made messages to a node): each ends in a typed error at the caller, nothing
/// hangs, and the nodes then serve the next hundred tasks.
/// </summary>
public abstract class HostileValueTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private GridClient Grid => fixture.Grid;

    [Fact]
    public async Task Unserializable_values_fail_at_the_caller_naming_the_type_on_every_entry_point()
    {
        var bad = new WithCallback { Callback = () => { } };
        var sink = await Grid.CreateActorAsync(() => new Sink());

        AssertNamesCallback(Assert.Throws<GridSerializationException>(() => Grid.Function<WithCallback, int>(HostileFunctions.Take).Remote(bad)));
        AssertNamesCallback(Assert.Throws<GridSerializationException>(() => sink.Call(s => s.Take(bad))));
        AssertNamesCallback(await Assert.ThrowsAsync<GridSerializationException>(() => Grid.CreateActorAsync(() => new Sink(bad))));
        AssertNamesCallback(await Assert.ThrowsAsync<GridSerializationException>(() => Grid.PutAsync(bad)));
        // A task's return value that cannot be serialized fails that task, at the get.
        AssertNamesCallback(await Assert.ThrowsAsync<GridSerializationException>(() => Grid.Function<int, WithCallback>(HostileFunctions.ReturnCallback).Remote(1).GetAsync(Timeout)));

        Assert.Equal(3, await sink.Call(s => s.Add(1, 2)).GetAsync(Timeout));
        await sink.KillAsync();
        await ServesTheNextHundredTasksAsync();

        static void AssertNamesCallback(GridSerializationException e) => Assert.Contains("Action", e.Message);
    }

    [Fact]
    public async Task Cyclic_graphs_are_refused_as_a_cycle()
    {
        var cycle = new Link { Value = 1 };
        cycle.Next = new Link { Value = 2, Next = cycle };
        var sink = await Grid.CreateActorAsync(() => new Sink());

        Assert.Contains("cycle", Assert.Throws<GridSerializationException>(() => Grid.Function<Link, int>(HostileFunctions.Length).Remote(cycle)).Message);
        Assert.Contains("cycle", Assert.Throws<GridSerializationException>(() => sink.Call(s => s.Length(cycle))).Message);
        Assert.Contains("cycle", (await Assert.ThrowsAsync<GridSerializationException>(() => Grid.PutAsync(cycle))).Message);

        await sink.KillAsync();
        await ServesTheNextHundredTasksAsync();
    }

    [Fact]
    public async Task Values_nested_100000_deep_give_GridSerializationException_not_a_stack_overflow()
    {
        const int Depth = 100_000;
        var deep = HostileFunctions.Chain(Depth);

        Assert.Throws<GridSerializationException>(() => Grid.Function<Link, int>(HostileFunctions.Length).Remote(deep));
        await Assert.ThrowsAsync<GridSerializationException>(() => Grid.PutAsync(deep));
        // Built on a node as a task's result: the node refuses it, and the get says so.
        await Assert.ThrowsAsync<GridSerializationException>(() => Grid.Function<int, Link>(HostileFunctions.Chain).Remote(Depth).GetAsync(Timeout));

        await ServesTheNextHundredTasksAsync();
    }

    [Fact]
    public async Task Wrong_argument_counts_through_the_untyped_paths_give_UnknownFunctionException()
    {
        var add = FunctionCatalog.Describe(typeof(HostileFunctions).GetMethod(nameof(HostileFunctions.Add))!);
        var sink = await Grid.CreateActorAsync(() => new Sink());
        var sinkAdd = typeof(Sink).GetMethod(nameof(Sink.Add))!;
        TaskArgument[] one = [TaskArgument.Of(1, typeof(int))];

        var task = Assert.Throws<UnknownFunctionException>(() => Grid.Worker.SubmitTask<int>(Grid.JobId, add, TaskOptions.Default, one));
        Assert.Contains("takes 2 arguments, but 1 were passed", task.Message);
        var call = Assert.Throws<UnknownFunctionException>(() => Grid.Worker.CallActor<int>(Grid.JobId, ActorRefOf(sink), sinkAdd, one));
        Assert.Contains("takes 2 arguments, but 1 were passed", call.Message);
        // A hand-made message with one argument too few reaches a node: it answers the same error.
        var sent = await SendToANodeAsync(add, [TaskArg.Value(Grid.Worker.Serializer.Serialize(1, typeof(int)))]);
        Assert.Contains("carries 1 arguments, but the method takes 2", Assert.IsType<UnknownFunctionException>(sent).Message);

        Assert.Equal(5, await sink.Call(s => s.Add(2, 3)).GetAsync(Timeout));
        await sink.KillAsync();
        await ServesTheNextHundredTasksAsync();
    }

    [Fact]
    public async Task Garbage_argument_bytes_sent_to_a_node_give_GridSerializationException()
    {
        var length = FunctionCatalog.Describe(typeof(HostileFunctions).GetMethod(nameof(HostileFunctions.Length))!);
        var garbage = new byte[4096];
        new Random(13).NextBytes(garbage);
        garbage[0] = 0xff; // not the serializer's format version

        Assert.IsType<GridSerializationException>(await SendToANodeAsync(length, [TaskArg.Value(garbage)]));
        Assert.IsType<GridSerializationException>(await SendToANodeAsync(length, [TaskArg.Value([])]));

        await ServesTheNextHundredTasksAsync();
    }

    [Fact]
    public async Task Unknown_functions_give_UnknownFunctionException_at_the_caller_and_at_a_node()
    {
        var bogus = new FunctionDescriptor("No.Such.Type, NoSuchAssembly", "Run", 0x06000001, 1, "No.Such.Type.Run");

        Assert.Throws<UnknownFunctionException>(() => Grid.Worker.SubmitTask<int>(Grid.JobId, bogus, TaskOptions.Default, [TaskArgument.Of(1, typeof(int))]));
        Assert.IsType<UnknownFunctionException>(await SendToANodeAsync(bogus, [TaskArg.Value(Grid.Worker.Serializer.Serialize(1, typeof(int)))]));

        await ServesTheNextHundredTasksAsync();
    }

    [Fact]
    public async Task Unknown_actors_give_ActorNotFoundException()
    {
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Grid.GetActorAsync<Sink>("no-such-actor-" + Guid.NewGuid().ToString("N")));
        var never = new ActorRef(ActorId.New(), typeof(Sink).AssemblyQualifiedName!, Task.CompletedTask);
        var call = Grid.Worker.CallActor<int>(Grid.JobId, never, typeof(Sink).GetMethod(nameof(Sink.Add))!, [TaskArgument.Of(1, typeof(int)), TaskArgument.Of(2, typeof(int))]);

        var e = await Assert.ThrowsAsync<ActorNotFoundException>(() => call.GetAsync(Timeout));

        Assert.Contains("never created", e.Message);
        await ServesTheNextHundredTasksAsync();
    }

    private async Task ServesTheNextHundredTasksAsync()
    {
        var increment = Grid.Function<int, int>(TestFunctions.Increment);
        Assert.Equal(Enumerable.Range(1, 100), await Grid.GetAsync(Enumerable.Range(0, 100).Select(i => increment.Remote(i))).WaitAsync(Timeout));
    }

    /// <summary>Sends a hand-made task straight to a node's raylet, past every check of the client; returns the error it answers.</summary>
    private async Task<Exception> SendToANodeAsync(FunctionDescriptor function, TaskArg[] args)
    {
        var node = (await Grid.GetNodesAsync()).First(n => n.State == NodeState.Alive).NodeId;
        var spec = new TaskSpec
        {
            TaskId = ObjectId.New(), Job = Grid.JobId, Function = function, Args = args,
            Resources = TaskOptions.Default.ToResourceSet(), Owner = Grid.Worker.OwnerAddress,
        };
        var payload = await Grid.Worker.RayletOf(node).SubmitTask(spec).WaitAsync(Timeout);
        Assert.Equal(PayloadKind.Error, payload.Kind);
        return Grid.Worker.Serializer.ToException(payload.Error!);
    }

    private static ActorRef ActorRefOf(ActorHandle<Sink> handle) => new(handle.ActorId, typeof(Sink).AssemblyQualifiedName!, handle.Ready);
}

[Collection("embedded")]
public sealed class EmbeddedHostileValueTests(EmbeddedGridFixture fixture) : HostileValueTests(fixture);

[Collection("cluster")]
public sealed class ClusterHostileValueTests(ClusterGridFixture fixture) : HostileValueTests(fixture);

/// <summary>A value Grid cannot serialize: it holds a delegate.</summary>
public sealed class WithCallback
{
    public Action? Callback { get; set; }
}

/// <summary>A linked list: cyclic, or nested as deep as it is long.</summary>
public sealed class Link
{
    public int Value { get; set; }
    public Link? Next { get; set; }
}

public static class HostileFunctions
{
    public static int Take(WithCallback value) => value.Callback is null ? 0 : 1;

    public static WithCallback ReturnCallback(int _) => new() { Callback = static () => { } };

    public static int Add(int a, int b) => a + b;

    public static int Length(Link? link)
    {
        var n = 0;
        for (; link is not null; link = link.Next) n++;
        return n;
    }

    public static Link Chain(int depth)
    {
        var head = new Link { Value = 0 };
        for (var i = 1; i < depth; i++) head = new Link { Value = i, Next = head };
        return head;
    }
}

/// <summary>An actor that takes whatever the tests throw at it.</summary>
public sealed class Sink
{
    public Sink() { }

    public Sink(WithCallback callback) => GC.KeepAlive(callback);

    public int Take(WithCallback value) => HostileFunctions.Take(value);

    public int Length(Link link) => HostileFunctions.Length(link);

    public int Add(int a, int b) => a + b;
}
