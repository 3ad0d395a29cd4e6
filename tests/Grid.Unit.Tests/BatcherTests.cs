namespace Grid.Unit.Tests;

/// <summary>
/// A Batcher without an actor: calls merged into full batches, one failing input isolated, the output count enforced,
/// a cancelled call leaving the queue, disposal failing what waits. Batch functions block on gates, never on time.
/// </summary>
public sealed class BatcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Records each batch it is given (under a lock: without an actor it runs on pool threads).</summary>
    private sealed class Doubler
    {
        public readonly List<int[]> Batches = [];
        public int Poison { get; init; } = int.MinValue;

        public IReadOnlyList<int> Run(IReadOnlyList<int> inputs)
        {
            lock (Batches) Batches.Add([.. inputs]);
            if (inputs.Contains(Poison)) throw new InvalidOperationException($"poisoned by {Poison}");
            return inputs.Select(x => x * 2).ToArray();
        }
    }

    [Fact]
    public async Task Concurrent_calls_from_many_threads_are_merged_into_full_batches_and_each_gets_its_own_output()
    {
        var doubler = new Doubler();
        await using var batcher = new Batcher<int, int>(doubler.Run, new BatcherOptions { MaxBatchSize = 10, MaxWait = TimeSpan.FromDays(1) });
        var calls = Enumerable.Range(0, 100).Select(i => Task.Run(() => batcher.CallAsync(i))).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2), await Task.WhenAll(calls).WaitAsync(Timeout));
        // With a day to wait, only a full batch goes.
        Assert.Equal(10, doubler.Batches.Count);
        Assert.All(doubler.Batches, b => Assert.Equal(10, b.Length));
    }

    [Fact]
    public async Task One_callers_calls_reach_the_batch_function_in_the_order_made()
    {
        var doubler = new Doubler();
        await using var batcher = new Batcher<int, int>(doubler.Run, new BatcherOptions { MaxBatchSize = 7, MaxWait = TimeSpan.Zero });
        var calls = Enumerable.Range(0, 100).Select(i => batcher.CallAsync(i)).ToArray();
        await Task.WhenAll(calls).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 100), doubler.Batches.SelectMany(b => b));
        Assert.All(doubler.Batches, b => Assert.InRange(b.Length, 1, 7));
    }

    [Fact]
    public async Task An_input_that_throws_fails_only_its_own_caller_and_its_batch_runs_again_one_by_one()
    {
        var doubler = new Doubler { Poison = 13 };
        await using var batcher = new Batcher<int, int>(doubler.Run, new BatcherOptions { MaxBatchSize = 10, MaxWait = TimeSpan.FromDays(1) });
        var calls = Enumerable.Range(0, 20).Select(i => batcher.CallAsync(i)).ToArray();
        var poisoned = await Assert.ThrowsAsync<InvalidOperationException>(() => calls[13].WaitAsync(Timeout));
        Assert.Equal("poisoned by 13", poisoned.Message);
        for (var i = 0; i < 20; i++)
            if (i != 13) Assert.Equal(i * 2, await calls[i].WaitAsync(Timeout));
        // [0..9], [10..19] (throws), then 10..19 alone.
        Assert.Equal(12, doubler.Batches.Count);
        Assert.Equal(Enumerable.Range(10, 10), doubler.Batches.Skip(2).Select(b => Assert.Single(b)));
    }

    [Fact]
    public async Task A_batch_function_returning_the_wrong_count_fails_every_caller_of_that_batch()
    {
        await using var batcher = new Batcher<int, int>(xs => xs.Skip(1).ToArray(), new BatcherOptions { MaxBatchSize = 4, MaxWait = TimeSpan.FromDays(1) });
        var calls = Enumerable.Range(0, 4).Select(i => batcher.CallAsync(i)).ToArray();
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<BatchOutputCountException>(() => call.WaitAsync(Timeout));
            Assert.Equal((4, 3), (error.Inputs, error.Outputs));
            Assert.Contains("exactly one output per input", error.Message);
        }
    }

    [Fact]
    public async Task A_cancelled_call_not_yet_sent_leaves_the_queue_and_the_others_run()
    {
        var (started, open) = (NewGate(), NewGate());
        var seen = new List<int>();
        await using var batcher = new Batcher<int, int>(async (xs, _) =>
        {
            lock (seen) seen.AddRange(xs);
            started.TrySetResult();
            await open.Task;
            return xs;
        }, new BatcherOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero });
        var first = batcher.CallAsync(1);
        await started.Task.WaitAsync(Timeout); // 1 is in the running batch; the next wait behind it
        using var cancel = new CancellationTokenSource();
        var cancelled = batcher.CallAsync(2, cancel.Token);
        var third = batcher.CallAsync(3);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        open.TrySetResult();
        Assert.Equal(1, await first.WaitAsync(Timeout));
        Assert.Equal(3, await third.WaitAsync(Timeout));
        Assert.Equal([1, 3], seen);
    }

    [Fact]
    public async Task Disposal_fails_the_queued_calls_and_later_ones_and_ends_with_the_running_batch()
    {
        var (started, open) = (NewGate(), NewGate());
        var sawCancel = false;
        var batcher = new Batcher<int, int>(async (xs, ct) =>
        {
            started.TrySetResult();
            await open.Task;
            sawCancel = ct.IsCancellationRequested;
            return xs;
        }, new BatcherOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero });
        var running = batcher.CallAsync(1);
        await started.Task.WaitAsync(Timeout);
        var queued = batcher.CallAsync(2);

        var disposal = batcher.DisposeAsync().AsTask();
        var refused = await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(Timeout));
        Assert.Contains("disposed", refused.Message);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batcher.CallAsync(3));
        Assert.False(disposal.IsCompleted); // it waits for the running batch

        open.TrySetResult();
        await disposal.WaitAsync(Timeout);
        Assert.Equal(1, await running.WaitAsync(Timeout));
        Assert.True(sawCancel);
    }

    [Theory]
    [InlineData(0, 10, "MaxBatchSize")]
    [InlineData(-1, 10, "MaxBatchSize")]
    [InlineData(5, -1, "MaxWait")]
    [InlineData(5, 2 * 24 * 3600 * 1000, "MaxWait")]
    public void Options_out_of_range_are_refused_naming_the_option(int maxBatchSize, long maxWaitMs, string option)
    {
        var options = new BatcherOptions { MaxBatchSize = maxBatchSize, MaxWait = TimeSpan.FromMilliseconds(maxWaitMs) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Batcher<int, int>(xs => xs, options));
        Assert.Equal(option, error.ParamName);
        Assert.Contains("BatcherOptions." + option, error.Message);
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
