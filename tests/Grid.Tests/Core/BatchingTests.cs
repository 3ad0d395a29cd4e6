using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// Dynamic batching in an actor (Batcher, Ray Serve's @serve.batch): concurrent single calls from the driver and from
/// tasks merge into few calls of the batch function, each caller gets its own output, one failing input fails only
/// its caller, a broken output count fails the batch's callers, and each caller's calls reach the function in order.
/// The batches fill without timing: MaxWait is long where the count of batches is asserted, so only full batches go.
/// </summary>
public abstract class BatchingTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task A_hundred_concurrent_calls_from_the_driver_reach_the_batch_function_in_few_batches_and_each_gets_its_output()
    {
        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(10, (int)Long.TotalMilliseconds, -1, false));
        var calls = Enumerable.Range(0, 100).Select(i => actor.Call(a => a.Predict(i, CancellationToken.None))).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2), await Grid.GetAsync(calls).WaitAsync(Timeout));
        var sizes = await Grid.GetAsync(actor.Call(a => a.BatchSizes()), Timeout);
        Assert.Equal(100, sizes.Sum());
        Assert.InRange(sizes.Length, 10, 10 + 3);
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Calls_from_several_tasks_are_batched_together_and_each_task_gets_its_own_outputs()
    {
        var name = "batched-" + Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(10, (int)Long.TotalMilliseconds, -1, false), new ActorOptions { Name = name });
        await actor.Ready.WaitAsync(Timeout);
        var predict = Grid.Function<string, int, int, int[]>(BatchingFunctions.PredictMany, new TaskOptions { NumCpus = 0 });
        var tasks = Enumerable.Range(0, 4).Select(t => predict.Remote(name, t * 25, 25)).ToArray();
        var outputs = await Grid.GetAsync(tasks).WaitAsync(Timeout);
        for (var t = 0; t < 4; t++) Assert.Equal(Enumerable.Range(t * 25, 25).Select(i => i * 2), outputs[t]);
        var sizes = await Grid.GetAsync(actor.Call(a => a.BatchSizes()), Timeout);
        Assert.Equal(100, sizes.Sum());
        Assert.InRange(sizes.Length, 10, 10 + 3);
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_input_that_throws_fails_only_its_own_caller_and_the_other_99_get_their_outputs()
    {
        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(10, (int)Long.TotalMilliseconds, 13, false));
        var calls = Enumerable.Range(0, 100).Select(i => actor.Call(a => a.Predict(i, CancellationToken.None))).ToArray();
        var poisoned = await Assert.ThrowsAsync<InvalidOperationException>(() => Grid.GetAsync(calls[13], Timeout));
        Assert.Contains("cannot double 13", poisoned.Message);
        for (var i = 0; i < 100; i++)
            if (i != 13) Assert.Equal(i * 2, await Grid.GetAsync(calls[i], Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_batch_function_returning_the_wrong_count_gives_every_caller_of_the_batch_the_typed_error()
    {
        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(5, (int)Long.TotalMilliseconds, -1, true));
        var calls = Enumerable.Range(0, 10).Select(i => actor.Call(a => a.Predict(i, CancellationToken.None))).ToArray();
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<BatchOutputCountException>(() => Grid.GetAsync(call, Timeout));
            Assert.Equal(5, error.Inputs);
            Assert.Equal(4, error.Outputs);
            Assert.Contains("exactly one output per input", error.Message);
        }
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Each_callers_unawaited_calls_reach_the_batch_function_in_the_order_made()
    {
        var name = "batched-" + Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(8, 5, -1, false), new ActorOptions { Name = name });
        await actor.Ready.WaitAsync(Timeout);
        var fromTask = Grid.Function<string, int, int, int[]>(BatchingFunctions.PredictMany, new TaskOptions { NumCpus = 0 }).Remote(name, 1000, 60);
        var fromDriver = Enumerable.Range(0, 60).Select(i => actor.Call(a => a.Predict(i, CancellationToken.None))).ToArray();
        await Grid.GetAsync(fromDriver).WaitAsync(Timeout);
        await Grid.GetAsync(fromTask, Timeout);
        var seen = await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout);
        Assert.Equal(Enumerable.Range(0, 60), seen.Where(v => v < 1000));
        Assert.Equal(Enumerable.Range(1000, 60), seen.Where(v => v >= 1000));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_batch_that_cannot_fill_goes_after_max_wait_and_runs_on_the_actors_event_loop_outside_any_call()
    {
        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(1000, 20, -1, false));
        var calls = Enumerable.Range(0, 5).Select(i => actor.Call(a => a.Predict(i, CancellationToken.None))).ToArray();
        Assert.Equal(new[] { 0, 2, 4, 6, 8 }, await Grid.GetAsync(calls).WaitAsync(Timeout));
        Assert.Equal(5, (await Grid.GetAsync(actor.Call(a => a.BatchSizes()), Timeout)).Sum());
        Assert.True(await Grid.GetAsync(actor.Call(a => a.RanOnItsLoop()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Cancelling_a_call_whose_input_waits_in_the_queue_removes_it_and_the_next_call_runs()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var actor = await Grid.CreateActorAsync(() => new GatedBatches(prefix));
        var first = actor.Call(a => a.Predict(1, CancellationToken.None));
        await TestFunctions.Gate(prefix + "-started").Task.WaitAsync(Timeout); // 1's batch runs, shut in
        var cancelled = actor.Call(a => a.Predict(2, CancellationToken.None));
        await TestFunctions.Gate(prefix + "-arrived-2").Task.WaitAsync(Timeout); // 2 is queued behind it
        await Grid.CancelAsync(cancelled).WaitAsync(Timeout);
        await Assert.ThrowsAsync<TaskCancelledException>(() => Grid.GetAsync(cancelled, Timeout));
        var third = actor.Call(a => a.Predict(3, CancellationToken.None));
        await TestFunctions.Gate(prefix + "-arrived-3").Task.WaitAsync(Timeout);
        TestFunctions.Gate(prefix + "-open").SetResult(true);
        Assert.Equal(1, await Grid.GetAsync(first, Timeout));
        Assert.Equal(3, await Grid.GetAsync(third, Timeout));
        Assert.Equal(new[] { 1, 3 }, await Grid.GetAsync(actor.Call(a => a.Seen()), Timeout));
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_naming_the_option_in_the_driver_and_in_an_actor()
    {
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => new Batcher<int, int>(xs => xs, new BatcherOptions { MaxBatchSize = 0 }));
        Assert.Equal(nameof(BatcherOptions.MaxBatchSize), size.ParamName);
        var wait = Assert.Throws<ArgumentOutOfRangeException>(() => new Batcher<int, int>(xs => xs, new BatcherOptions { MaxWait = TimeSpan.FromMilliseconds(-1) }));
        Assert.Equal(nameof(BatcherOptions.MaxWait), wait.ParamName);

        var actor = await Grid.CreateActorAsync(() => new BatchedDoubler(0, 10, -1, false));
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Grid.GetAsync(actor.Call(a => a.Predict(1, CancellationToken.None)), Timeout));
        Assert.Contains("BatcherOptions.MaxBatchSize", error.Message);
    }
}

/// <summary>
/// An async actor (its Predict returns a Task) whose Predict is batched: the batch function doubles its inputs, throws
/// for <c>poison</c>, or returns one output too few when <c>wrongCount</c>. Its state needs no lock: the batch function
/// runs on the actor's event loop, as its methods do.
/// </summary>
public sealed class BatchedDoubler : IDisposable
{
    private readonly Batcher<int, int> _batcher;
    private readonly List<int[]> _batches = [];
    private readonly int _poison;
    private readonly bool _wrongCount;
    private TaskScheduler? _loop;
    private bool _offLoop;

    public BatchedDoubler(int maxBatchSize, int maxWaitMs, int poison, bool wrongCount)
    {
        (_poison, _wrongCount) = (poison, wrongCount);
        _batcher = new Batcher<int, int>(Double, new BatcherOptions { MaxBatchSize = maxBatchSize, MaxWait = TimeSpan.FromMilliseconds(maxWaitMs) });
    }

    public Task<int> Predict(int x, CancellationToken ct)
    {
        _loop ??= TaskScheduler.Current;
        return _batcher.CallAsync(x, ct);
    }

    private IReadOnlyList<int> Double(IReadOnlyList<int> xs)
    {
        if (TaskScheduler.Current != _loop || GridContext.TryGetCurrent() is not null) _offLoop = true;
        _batches.Add([.. xs]);
        if (xs.Contains(_poison)) throw new InvalidOperationException($"cannot double {_poison}");
        return xs.Skip(_wrongCount ? 1 : 0).Select(x => x * 2).ToArray();
    }

    public int[] BatchSizes() => [.. _batches.Select(b => b.Length)];
    public int[] Seen() => [.. _batches.SelectMany(b => b)];
    /// <summary>Whether every batch ran on the loop Predict runs on, outside any one call's GridContext.</summary>
    public bool RanOnItsLoop() => _loop is not null && _loop != TaskScheduler.Default && !_offLoop;
    public void Dispose() => _batcher.Dispose();
}

/// <summary>
/// Batches of one whose function waits for a gate: opens "{prefix}-arrived-{x}" when Predict(x) starts and
/// "{prefix}-started" when a batch starts, then waits for "{prefix}-open".
/// </summary>
public sealed class GatedBatches : IDisposable
{
    private readonly List<int> _seen = [];
    private readonly Batcher<int, int> _batcher;
    private readonly string _prefix;

    public GatedBatches(string prefix)
    {
        _prefix = prefix;
        _batcher = new Batcher<int, int>(RunAsync, new BatcherOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero });
    }

    public Task<int> Predict(int x, CancellationToken ct)
    {
        TestFunctions.Gate($"{_prefix}-arrived-{x}").TrySetResult(true);
        return _batcher.CallAsync(x, ct);
    }

    private async Task<IReadOnlyList<int>> RunAsync(IReadOnlyList<int> xs, CancellationToken ct)
    {
        _seen.AddRange(xs);
        TestFunctions.Gate(_prefix + "-started").TrySetResult(true);
        await TestFunctions.Gate(_prefix + "-open").Task;
        return xs;
    }

    public int[] Seen() => [.. _seen];
    public void Dispose() => _batcher.Dispose();
}

public static class BatchingFunctions
{
    /// <summary>Calls the named BatchedDoubler's Predict for <paramref name="count"/> inputs from <paramref name="first"/>, unawaited, from a task.</summary>
    public static async Task<int[]> PredictMany(string name, int first, int count)
    {
        var grid = GridContext.Current.Grid;
        var actor = await grid.GetActorAsync<BatchedDoubler>(name);
        return await grid.GetAsync(Enumerable.Range(first, count).Select(i => actor.Call(a => a.Predict(i, CancellationToken.None))));
    }
}

[Collection("embedded")]
public sealed class EmbeddedBatchingTests(EmbeddedGridFixture fixture) : BatchingTests(fixture);

[Collection("cluster")]
public sealed class ClusterBatchingTests(ClusterGridFixture fixture) : BatchingTests(fixture);
