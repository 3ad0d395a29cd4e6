using System.Runtime.CompilerServices;
using Grid.Data.Execution;

namespace Grid.Data.Tests.Execution;

/// <summary>The executor's stage loop: order, the in-flight bound, early ends and errors (runs are driven by hand).</summary>
public sealed class OrderedTests
{
    private readonly MemoryBudget _budget = new(1 << 30);

    private BlockHandle Block(int index, long bytes = 100)
    {
        _budget.Hold(bytes);
        return new BlockHandle(new ObjectRef<BlockItem>(ObjectId.New(), default, null), new BlockMeta { Rows = 1, Bytes = bytes }, index, _budget);
    }

    /// <summary>A run whose blocks appear when the test releases them.</summary>
    private sealed class Run(int index)
    {
        public int Index { get; } = index;
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async IAsyncEnumerable<BlockHandle> Blocks(Run run, int count, Exception? failure, [EnumeratorCancellation] CancellationToken ct = default)
    {
        run.Started.TrySetResult();
        await run.Release.Task.WaitAsync(ct);
        for (int i = 0; i < count; i++) yield return Block(run.Index * 10 + i);
        if (failure is not null) throw failure;
    }

    private IAsyncEnumerable<BlockHandle> Stage(Run[] runs, int maxInFlight, int blocksPerRun = 2, int failAt = -1) =>
        Ordered.RunAsync(runs.ToAsyncEnumerable(), (run, ct) =>
            ValueTask.FromResult(Blocks(run, blocksPerRun, run.Index == failAt ? new InvalidOperationException($"run {run.Index}") : null, ct)),
            maxInFlight, () => { }, CancellationToken.None);

    [Fact]
    public async Task Blocks_come_out_in_input_order_when_later_runs_finish_first()
    {
        var runs = Enumerable.Range(0, 4).Select(i => new Run(i)).ToArray();
        var output = new List<int>();
        var consume = Task.Run(async () =>
        {
            await foreach (var block in Stage(runs, maxInFlight: 4)) using (block) output.Add(block.Index);
        });
        foreach (var run in runs.Reverse()) run.Release.TrySetResult();
        await consume;
        Assert.Equal([0, 1, 10, 11, 20, 21, 30, 31], output);
        Assert.Equal(0, _budget.Held);
    }

    [Fact]
    public async Task No_more_than_max_in_flight_runs_start_before_the_head_run_ends()
    {
        var runs = Enumerable.Range(0, 6).Select(i => new Run(i)).ToArray();
        await using var blocks = Stage(runs, maxInFlight: 2).GetAsyncEnumerator();
        var first = blocks.MoveNextAsync();
        await runs[0].Started.Task;
        await runs[1].Started.Task;
        // Runs 0 and 1 are started and neither has ended: run 2 must wait.
        Assert.False(runs[2].Started.Task.IsCompleted);
        runs[0].Release.TrySetResult();
        Assert.True(await first);
        blocks.Current.Dispose();
        Assert.True(await blocks.MoveNextAsync());
        blocks.Current.Dispose();
        // Asking for the next block moves past run 0 (it ended): run 2 may start now, run 3 may not.
        var third = blocks.MoveNextAsync();
        await runs[2].Started.Task;
        Assert.False(runs[3].Started.Task.IsCompleted);
        runs[1].Release.TrySetResult();
        Assert.True(await third);
        blocks.Current.Dispose();
    }

    [Fact]
    public async Task Ending_early_cancels_the_runs_and_releases_every_block_not_handed_out()
    {
        var runs = Enumerable.Range(0, 3).Select(i => new Run(i)).ToArray();
        foreach (var run in runs) run.Release.TrySetResult();
        await foreach (var block in Stage(runs, maxInFlight: 3, blocksPerRun: 5))
        {
            block.Dispose();
            break;
        }
        Assert.Equal(0, _budget.Held);
    }

    [Fact]
    public async Task A_failed_run_fails_the_stage_after_the_blocks_of_the_runs_before_it()
    {
        var runs = Enumerable.Range(0, 3).Select(i => new Run(i)).ToArray();
        foreach (var run in runs) run.Release.TrySetResult();
        var output = new List<int>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var block in Stage(runs, maxInFlight: 3, blocksPerRun: 1, failAt: 1)) using (block) output.Add(block.Index);
        });
        Assert.Equal("run 1", error.Message);
        Assert.Equal([0, 10], output);
        Assert.Equal(0, _budget.Held);
    }
}
