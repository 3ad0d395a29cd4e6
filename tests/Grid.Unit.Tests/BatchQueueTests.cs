using Grid.Batching;

namespace Grid.Unit.Tests;

/// <summary>
/// The queue behind a Batcher: full batches go at once, partial ones when MaxWait has passed since their first item
/// (time moved by hand here), items leave in arrival order, a removed item never leaves.
/// </summary>
public sealed class BatchQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Full_batches_are_taken_at_once_in_arrival_order_and_a_partial_one_waits()
    {
        var queue = new BatchQueue<int>(3, TimeSpan.FromMilliseconds(100), new ManualTime());
        for (var i = 1; i <= 7; i++) Assert.True(queue.TryAdd(i, out _));
        Assert.Equal([1, 2, 3], await queue.NextBatchAsync());
        Assert.Equal([4, 5, 6], await queue.NextBatchAsync());
        var partial = queue.NextBatchAsync();
        Assert.False(partial.IsCompleted); // time does not move: 7 waits for more
        Assert.Equal([7], queue.Close());
        Assert.Null(await partial.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_partial_batch_goes_when_max_wait_has_passed_since_its_first_item_arrived()
    {
        var time = new ManualTime();
        var queue = new BatchQueue<string>(10, TimeSpan.FromMilliseconds(100), time);
        queue.TryAdd("a", out _);
        time.Advance(TimeSpan.FromMilliseconds(60));
        queue.TryAdd("b", out _);
        var next = queue.NextBatchAsync();
        time.Advance(TimeSpan.FromMilliseconds(39));
        Assert.False(next.IsCompleted); // 99 ms after "a"
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["a", "b"], await next.WaitAsync(Timeout));
    }

    [Fact]
    public async Task With_zero_max_wait_an_item_added_to_an_empty_queue_goes_to_the_waiting_consumer()
    {
        var queue = new BatchQueue<int>(10, TimeSpan.Zero, new ManualTime());
        var next = queue.NextBatchAsync();
        Assert.False(next.IsCompleted);
        queue.TryAdd(5, out _);
        Assert.Equal([5], await next.WaitAsync(Timeout));
    }

    [Fact]
    public async Task The_item_that_fills_a_batch_wakes_the_consumer_before_the_deadline()
    {
        var queue = new BatchQueue<int>(2, TimeSpan.FromDays(1), new ManualTime());
        queue.TryAdd(1, out _);
        var next = queue.NextBatchAsync();
        Assert.False(next.IsCompleted);
        queue.TryAdd(2, out _);
        Assert.Equal([1, 2], await next.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_removed_item_never_leaves_and_an_item_that_left_cannot_be_removed()
    {
        var queue = new BatchQueue<int>(2, TimeSpan.FromDays(1), new ManualTime());
        queue.TryAdd(1, out var first);
        queue.TryAdd(2, out var second);
        queue.TryAdd(3, out _);
        Assert.True(queue.TryRemove(second));
        Assert.False(queue.TryRemove(second));
        Assert.Equal([1, 3], await queue.NextBatchAsync());
        Assert.False(queue.TryRemove(first));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_closed_queue_refuses_items_and_closing_again_returns_nothing()
    {
        var queue = new BatchQueue<int>(2, TimeSpan.Zero, new ManualTime());
        queue.TryAdd(1, out _);
        Assert.Equal([1], queue.Close());
        Assert.False(queue.TryAdd(2, out _));
        Assert.Empty(queue.Close());
    }
}

/// <summary>A clock that moves only when told; its timers fire in <see cref="Advance"/>.</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<Timer> _timers = [];
    private long _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() { lock (_lock) return _now; }

    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (_lock)
        {
            _now += by.Ticks;
            due = _timers.Where(t => t.DueAt <= _now).ToList();
            foreach (var timer in due) _timers.Remove(timer);
        }
        foreach (var timer in due) timer.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>A one-shot timer (Task.Delay's kind); a period is not supported.</summary>
    private sealed class Timer(ManualTime time, TimerCallback callback, object? state) : ITimer
    {
        public long DueAt { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (time._lock)
            {
                time._timers.Remove(this);
                if (dueTime == global::System.Threading.Timeout.InfiniteTimeSpan) return true;
                DueAt = time._now + dueTime.Ticks;
                time._timers.Add(this);
            }
            return true;
        }

        public void Dispose() { lock (time._lock) time._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
