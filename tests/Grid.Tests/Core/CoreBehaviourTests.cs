using Grid.Core;
using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.Core;

/// <summary>Core guarantees of issue 2 beyond the scenarios, on the embedded mode and a 3-silo cluster.</summary>
public abstract class CoreBehaviourTests(IGridFixture fixture)
{
    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task Calls_from_one_caller_run_in_order_even_when_their_ref_arguments_resolve_in_reverse()
    {
        var run = Guid.NewGuid().ToString("N");
        var recorder = await Grid.CreateActorAsync(() => new Recorder());
        // Zero-CPU tasks, so all 100 can wait on their gates at once.
        var produce = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 });
        var args = Enumerable.Range(0, 100).Select(i => produce.Remote($"{run}-{i}", i)).ToArray();
        var calls = args.Select(a => recorder.Call(r => r.Record(a.AsArg()))).ToArray();
        for (var i = 99; i >= 0; i--) TestFunctions.Gate($"{run}-{i}").SetResult(true);
        Assert.Equal(Enumerable.Range(0, 100), await Grid.GetAsync(calls));
        Assert.Equal(Enumerable.Range(0, 100), await recorder.Call(r => r.Seen()));
        await recorder.KillAsync();
    }

    [Fact]
    public async Task Wait_returns_the_ready_ref_and_the_rest_as_not_ready()
    {
        var run = Guid.NewGuid().ToString("N");
        var f = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 });
        var refs = Enumerable.Range(0, 4).Select(i => f.Remote($"{run}-{i}", i)).ToArray();
        TestFunctions.Gate($"{run}-2").SetResult(true);
        var first = await Grid.WaitAsync(refs, numReturns: 1);
        Assert.Equal([refs[2]], first.Ready);
        Assert.Equal([refs[0], refs[1], refs[3]], first.NotReady);
        TestFunctions.Gate($"{run}-0").SetResult(true);
        var two = await Grid.WaitAsync(refs, numReturns: 2);
        Assert.Equal(new HashSet<ObjectRef<int>>([refs[0], refs[2]]), two.Ready.ToHashSet());
        var timedOut = await Grid.WaitAsync(refs, numReturns: 4, timeout: TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, timedOut.Ready.Count);
        Assert.Equal(2, timedOut.NotReady.Count);
        TestFunctions.Gate($"{run}-1").SetResult(true);
        TestFunctions.Gate($"{run}-3").SetResult(true);
        var actual = await Grid.GetAsync(refs);
        Assert.Equal([0, 1, 2, 3], actual);
    }

    [Fact]
    public async Task Wait_handles_empty_input_and_rejects_duplicates_and_bad_counts()
    {
        var empty = await Grid.WaitAsync(Array.Empty<ObjectRef<int>>());
        Assert.Empty(empty.Ready);
        Assert.Empty(empty.NotReady);
        var r = await Grid.PutAsync(1);
        await Assert.ThrowsAsync<ArgumentException>(() => Grid.WaitAsync([r, r]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Grid.WaitAsync([r], numReturns: 2));
    }

    [Fact]
    public async Task Get_keeps_order_and_duplicates()
    {
        var a = await Grid.PutAsync(1);
        var b = await Grid.PutAsync(2);
        var actual = await Grid.GetAsync([b, a, b, b]);
        Assert.Equal([2, 1, 2, 2], actual);
    }

    [Fact]
    public async Task Get_with_timeout_on_a_pending_ref_throws_and_the_ref_stays_gettable()
    {
        var gate = Guid.NewGuid().ToString("N");
        var pending = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 }).Remote(gate, 7);
        await Assert.ThrowsAsync<GetTimeoutException>(() => Grid.GetAsync(pending, TimeSpan.FromMilliseconds(100)));
        // Handled where .NET timeouts are, as Ray's GetTimeoutError is a TimeoutError.
        await Assert.ThrowsAnyAsync<TimeoutException>(() => Grid.GetAsync(pending, TimeSpan.FromMilliseconds(100)));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(7, await Grid.GetAsync(pending, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_user_exception_arrives_with_its_type_message_and_remote_stack()
    {
        var failing = Grid.Function<string, int>(TestFunctions.Fail).Remote("boom 42");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(failing));
        Assert.Equal("boom 42", e.Message);
        Assert.Contains(nameof(Thrower.Throw), e.StackTrace);
        Assert.Contains("task", (string)e.Data["grid.origin"]!);
    }

    [Fact]
    public async Task Get_of_many_throws_as_soon_as_one_failed()
    {
        var gate = Guid.NewGuid().ToString("N");
        var never = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened, new TaskOptions { NumCpus = 0 }).Remote(gate, 1);
        var failing = Grid.Function<string, int>(TestFunctions.Fail).Remote("first failure");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync([never, failing]));
        Assert.Equal("first failure", e.Message);
        TestFunctions.Gate(gate).SetResult(true);
    }

    [Fact]
    public async Task A_failed_dependency_fails_the_tasks_that_consume_it()
    {
        var failing = Grid.Function<string, int>(TestFunctions.Fail).Remote("upstream");
        var downstream = Grid.Function<int, int>(TestFunctions.Increment).Remote(failing);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(downstream));
        Assert.Equal("upstream", e.Message);
    }

    [Fact]
    public async Task A_task_holding_every_cpu_of_a_node_can_wait_on_a_nested_task()
    {
        // Without the CPU release of a blocked get the nested task could never start on that node.
        var greedy = Grid.Function<int, int>(TestFunctions.WaitOnNested, new TaskOptions { NumCpus = fixture.CpusPerNode });
        Assert.Equal(42, await Grid.GetAsync(greedy.Remote(41), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_chain_of_100_dependent_tasks_gives_100()
    {
        var inc = Grid.Function<int, int>(TestFunctions.Increment);
        var r = inc.Remote(0);
        for (var i = 1; i < 100; i++) r = inc.Remote(r);
        Assert.Equal(100, await r);
    }

    [Fact]
    public async Task A_constructor_exception_surfaces_on_every_call()
    {
        var actor = await Grid.CreateActorAsync(() => new BrokenActor("bad config"));
        var first = await Assert.ThrowsAsync<ArgumentException>(() => Grid.GetAsync(actor.Call(a => a.Ping())));
        var second = await Assert.ThrowsAsync<ArgumentException>(() => Grid.GetAsync(actor.Call(a => a.Ping())));
        Assert.Equal("bad config", first.Message);
        Assert.Equal("bad config", second.Message);
    }

    [Fact]
    public async Task Calls_to_a_killed_actor_fail_with_actor_died()
    {
        var recorder = await Grid.CreateActorAsync(() => new Recorder());
        Assert.Equal(1, await recorder.Call(r => r.Record(1)));
        await recorder.KillAsync();
        await Assert.ThrowsAsync<ActorDiedException>(() => Grid.GetAsync(recorder.Call(r => r.Record(2))));
    }

    [Fact]
    public async Task Capturing_lambdas_are_refused_at_submission()
    {
        var offset = 3;
        var e = Assert.Throws<CapturingLambdaException>(() => Grid.Function((int x) => x + offset));
        Assert.Contains("offset", e.Message);
        Assert.Equal(5, await Grid.Function(static (int x) => x + 3).Remote(2));
    }

    [Fact]
    public async Task Unserializable_arguments_and_puts_fail_at_the_caller_naming_the_type()
    {
        var e = Assert.Throws<GridSerializationException>(() => Grid.Function<Holder, int>(_ => 1).Remote(new Holder { Callback = () => { } }));
        Assert.Contains("Action", e.Message);
        var put = await Assert.ThrowsAsync<GridSerializationException>(() => Grid.PutAsync(new Holder { Callback = () => { } }));
        Assert.Contains("Action", put.Message);
    }

    [Fact]
    public void Unknown_functions_fail_at_submission()
    {
        var bogus = new FunctionDescriptor("No.Such.Type, NoSuchAssembly", "Run", 0x06000001, 1, "No.Such.Type.Run");
        Assert.Throws<UnknownFunctionException>(() => Grid.Worker.SubmitTask<int>(Grid.JobId, bogus, TaskOptions.Default, [TaskArgument.Of(1, typeof(int))]));
    }

    [Fact]
    public async Task Tasks_see_their_context()
    {
        var node = await Grid.Function<int, string>(TestFunctions.WhereAmI).Remote(0);
        Assert.Contains(node, (await Grid.GetNodesAsync()).Select(n => n.NodeId.Value));
    }
}

[Collection("embedded")]
public sealed class EmbeddedCoreBehaviourTests(EmbeddedGridFixture fixture) : CoreBehaviourTests(fixture);

[Collection("cluster")]
public sealed class ClusterCoreBehaviourTests(ClusterGridFixture fixture) : CoreBehaviourTests(fixture)
{
    [Fact]
    public async Task Tasks_from_one_client_run_on_all_three_silos()
    {
        var where = Grid.Function<int, string>(TestFunctions.WhereAmI);
        var nodes = await Grid.GetAsync(Enumerable.Range(0, 30).Select(i => where.Remote(i)).ToList());
        Assert.Equal(3, nodes.Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(200)]
    public async Task Large_arrays_round_trip_between_silos_intact(int megabytes)
    {
        var data = TestFunctions.MakeBytes(megabytes * 1024 * 1024, megabytes);
        var expected = TestFunctions.Checksum(data);
        // The client's put goes to one node's store; readers are scheduled where the object is.
        var stored = await Grid.PutAsync(data);
        var check = Grid.Function<byte[], (string, long, int)>(TestFunctions.ChecksumWhere);
        var (node, checksum, length) = await check.Remote(stored);
        Assert.Equal((expected, data.Length), (checksum, length));
        // A task on another node makes the array, the one holding the first reads both: the second is pulled across.
        var made = Grid.Function<int, int, byte[]>(TestFunctions.MakeBytes).Remote(data.Length, megabytes);
        var same = Grid.Function<byte[], byte[], bool>(TestFunctions.SameBytes);
        Assert.True(await same.Remote(stored, made));
        // And the client reads the stored array back whole, in chunks from its node.
        Assert.Equal(data, await Grid.GetAsync(made));
        Assert.Contains(node, (await Grid.GetNodesAsync()).Select(n => n.NodeId.Value));
    }
}
