using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Ray's <c>ray.cancel</c>: a waiting task is dropped at once, a running one sees its token and fails when it stops
/// (at once with force), a recursive cancel reaches the tasks it submitted, a finished task is left alone, dependents
/// fail alike, and actor calls are cancelled while queued or, when their method takes a token, while running.
/// Gates (TestFunctions.Gate) stand for Ray's SignalActor.
/// </summary>
public abstract class CancellationTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    private static string NewGate() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_task_waiting_for_its_argument_is_dropped_and_its_dependents_fail_alike()
    {
        var gate = NewGate();
        var slow = Grid.Function<string, int, int>(TestFunctions.ReturnWhenOpened).Remote(gate, 1);
        var waiting = Grid.Function<int, int>(CancelFunctions.AddOne).Remote(slow);
        var dependent = Grid.Function<int, int>(CancelFunctions.AddOne).Remote(waiting);

        await Grid.CancelAsync(waiting).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(waiting, Timeout));
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(dependent, Timeout));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(slow, Timeout)); // the argument's own task was not touched
    }

    [Fact]
    public async Task A_task_queued_for_resources_is_dropped_at_once_and_the_node_keeps_its_resources()
    {
        var (started, gate) = (NewGate(), NewGate());
        var node = (await Grid.GetNodesAsync()).First().NodeId;
        var whole = new TaskOptions { NumCpus = fixture.CpusPerNode, Scheduling = SchedulingStrategy.NodeAffinity(node) };
        var holder = Grid.Function<string, string, int>(CancelFunctions.SignalThenWait).Options(whole).Remote(started, gate);
        await TestFunctions.Gate(started).Task.WaitAsync(Timeout); // it holds every CPU of the node
        var queued = Grid.Function<int, int>(CancelFunctions.AddOne).Options(whole).Remote(1);

        await Grid.CancelAsync(queued).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(queued, Timeout));

        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(holder, Timeout));
        Assert.Equal(3, await Grid.GetAsync(Grid.Function<int, int>(CancelFunctions.AddOne).Options(whole).Remote(2), Timeout));
    }

    [Fact]
    public async Task A_running_task_sees_its_token_and_fails_cancelled_when_it_stops()
    {
        var started = NewGate();
        var running = Grid.Function<string, CancellationToken, int>(CancelFunctions.WaitForCancelParameter).Remote(started, CancellationToken.None);
        await TestFunctions.Gate(started).Task.WaitAsync(Timeout);
        await Grid.CancelAsync(running).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(running, Timeout));

        var context = NewGate();
        var viaContext = Grid.Function<string, int>(CancelFunctions.WaitForCancelContext).Remote(context);
        await TestFunctions.Gate(context).Task.WaitAsync(Timeout);
        await Grid.CancelAsync(viaContext).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(viaContext, Timeout));
    }

    [Fact]
    public async Task A_forced_cancel_fails_a_task_that_ignores_its_token_at_once()
    {
        var (started, gate) = (NewGate(), NewGate());
        var stubborn = Grid.Function<string, string, int>(CancelFunctions.SignalThenWait).Remote(started, gate);
        await TestFunctions.Gate(started).Task.WaitAsync(Timeout);
        await Grid.CancelAsync(stubborn, force: true).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(stubborn, Timeout)); // while it still runs
        TestFunctions.Gate(gate).SetResult(true);
    }

    [Fact]
    public async Task A_recursive_cancel_reaches_the_task_a_task_submitted_and_a_plain_one_does_not()
    {
        var (childStarted, childCancelled, childFree) = (NewGate(), NewGate(), NewGate());
        var parent = Grid.Function<string, string, string, int>(CancelFunctions.ParentOfWaitingChild).Remote(childStarted, childCancelled, childFree);
        await TestFunctions.Gate(childStarted).Task.WaitAsync(Timeout);
        await Grid.CancelAsync(parent).WaitAsync(Timeout);
        Assert.True(await TestFunctions.Gate(childCancelled).Task.WaitAsync(Timeout)); // the child saw its token fire
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(parent, Timeout));

        var (started2, cancelled2, free2) = (NewGate(), NewGate(), NewGate());
        var parent2 = Grid.Function<string, string, string, int>(CancelFunctions.ParentOfWaitingChild).Remote(started2, cancelled2, free2);
        await TestFunctions.Gate(started2).Task.WaitAsync(Timeout);
        await Grid.CancelAsync(parent2, recursive: false).WaitAsync(Timeout);
        TestFunctions.Gate(free2).SetResult(true); // the child, not cancelled, finishes on its own
        Assert.False(await TestFunctions.Gate(cancelled2).Task.WaitAsync(Timeout));
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(parent2, Timeout));
    }

    [Fact]
    public async Task Cancelling_a_finished_task_changes_nothing()
    {
        var done = Grid.Function<int, int>(CancelFunctions.AddOne).Remote(41);
        Assert.Equal(42, await Grid.GetAsync(done, Timeout));
        await Grid.CancelAsync(done).WaitAsync(Timeout);
        Assert.Equal(42, await Grid.GetAsync(done, Timeout));
    }

    [Fact]
    public async Task An_actor_call_is_cancelled_while_queued_and_the_callers_later_calls_still_run()
    {
        var (started, gate) = (NewGate(), NewGate());
        var recorder = await Grid.CreateActorAsync(() => new Recorder(), new ActorOptions { MaxConcurrency = 1 });
        var blocking = recorder.Call(r => r.SignalThenBlock(started, gate, 1));
        await TestFunctions.Gate(started).Task.WaitAsync(Timeout);
        var queued = recorder.Call(r => r.Record(2));
        var after = recorder.Call(r => r.Record(3));

        await Grid.CancelAsync(queued).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(queued, Timeout));
        TestFunctions.Gate(gate).SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(blocking, Timeout));
        Assert.Equal(3, await Grid.GetAsync(after, Timeout));
        Assert.Equal(new List<int> { 1, 3 }, await Grid.GetAsync(recorder.Call(r => r.Seen()), Timeout));
        await recorder.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_running_async_actor_call_taking_a_token_is_cancelled_and_the_actor_goes_on()
    {
        var started = NewGate();
        var actor = await Grid.CreateActorAsync(() => new CancellableWorker());
        var running = actor.Call(a => a.WaitForCancelAsync(started, default));
        await TestFunctions.Gate(started).Task.WaitAsync(Timeout);
        await Grid.CancelAsync(running).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(running, Timeout));
        Assert.Equal(7, await Grid.GetAsync(actor.Call(a => a.Echo(7)), Timeout));
        await Assert.ThrowsAsync<ArgumentException>(() => Grid.CancelAsync(actor.Call(a => a.Echo(8)), force: true));
        await actor.KillAsync().WaitAsync(Timeout);
    }
}

public static class CancelFunctions
{
    public static int AddOne(int x) => x + 1;

    /// <summary>Opens <paramref name="started"/>, then waits for <paramref name="gate"/>, deaf to any cancel.</summary>
    public static async Task<int> SignalThenWait(string started, string gate)
    {
        TestFunctions.Gate(started).TrySetResult(true);
        await TestFunctions.Gate(gate).Task;
        return 1;
    }

    public static async Task<int> WaitForCancelParameter(string started, CancellationToken cancellationToken)
    {
        TestFunctions.Gate(started).TrySetResult(true);
        await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
        return 0;
    }

    public static async Task<int> WaitForCancelContext(string started)
    {
        TestFunctions.Gate(started).TrySetResult(true);
        await Task.Delay(System.Threading.Timeout.Infinite, GridContext.Current.CancellationToken);
        return 0;
    }

    /// <summary>Starts a child that waits for its cancel or for <paramref name="free"/>, and waits for it.</summary>
    public static async Task<int> ParentOfWaitingChild(string started, string cancelled, string free)
    {
        var child = GridContext.Current.Grid.Function<string, string, string, CancellationToken, int>(Child).Remote(started, cancelled, free, CancellationToken.None);
        await Task.Delay(System.Threading.Timeout.Infinite, GridContext.Current.CancellationToken);
        return await child;
    }

    public static async Task<int> Child(string started, string cancelled, string free, CancellationToken cancellationToken)
    {
        TestFunctions.Gate(started).TrySetResult(true);
        try
        {
            await TestFunctions.Gate(free).Task.WaitAsync(cancellationToken);
            TestFunctions.Gate(cancelled).TrySetResult(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            TestFunctions.Gate(cancelled).TrySetResult(true);
            throw;
        }
    }
}

/// <summary>An async actor whose method takes a CancellationToken.</summary>
public sealed class CancellableWorker
{
    public async Task<int> WaitForCancelAsync(string started, CancellationToken cancellationToken)
    {
        TestFunctions.Gate(started).TrySetResult(true);
        await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
        return 0;
    }

    public int Echo(int value) => value;
}

[Collection("embedded")]
public sealed class EmbeddedCancellationTests(EmbeddedGridFixture fixture) : CancellationTests(fixture);

[Collection("cluster")]
public sealed class ClusterCancellationTests(ClusterGridFixture fixture) : CancellationTests(fixture);
