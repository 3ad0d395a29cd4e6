using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// <see cref="GridQueue{T}"/> as Ray's Queue: FIFO, a bounded queue's put waiting for room, timeouts that throw the
/// queue's typed errors and lose no item, the no-wait and batch calls, a queue passed to a task, cancellation and
/// shutdown. A call that must still be waiting is checked after a later call's round trip to the queue's actor (this
/// caller's calls start in order there), never after a sleep; a correct queue cannot have finished it either way.
/// </summary>
public abstract class GridQueueTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task Items_come_out_in_the_order_they_were_put()
    {
        await using var queue = await GridQueue<string>.CreateAsync(Grid);

        Assert.True(await queue.IsEmptyAsync().WaitAsync(Timeout));
        foreach (var item in new[] { "a", "b", "c", "d" }) await queue.PutAsync(item, Timeout).WaitAsync(Timeout);
        Assert.Equal(4, await queue.CountAsync().WaitAsync(Timeout));
        Assert.False(await queue.IsFullAsync().WaitAsync(Timeout)); // unbounded
        Assert.Equal(0, queue.MaxSize);

        var got = new List<string>();
        for (var i = 0; i < 4; i++) got.Add(await queue.GetAsync(Timeout).WaitAsync(Timeout));
        Assert.Equal(["a", "b", "c", "d"], got);
        Assert.True(await queue.IsEmptyAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_get_waits_for_a_put_without_blocking_it()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid);

        var get = queue.GetAsync(Timeout);
        Assert.Equal(0, await queue.CountAsync().WaitAsync(Timeout)); // a round trip behind the get (this caller's calls start in order)
        Assert.False(get.IsCompleted);
        await queue.PutAsync(5).WaitAsync(Timeout);
        Assert.Equal(5, await get.WaitAsync(Timeout));
        Assert.True(await queue.IsEmptyAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_put_on_a_full_queue_waits_until_a_get_makes_room()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid, maxSize: 2);
        await queue.PutAsync(1, Timeout).WaitAsync(Timeout);
        await queue.PutAsync(2, Timeout).WaitAsync(Timeout);
        Assert.True(await queue.IsFullAsync().WaitAsync(Timeout));

        var put = queue.PutAsync(3, Timeout);
        Assert.Equal(2, await queue.CountAsync().WaitAsync(Timeout)); // a round trip behind the put (this caller's calls start in order)
        Assert.False(put.IsCompleted);

        Assert.Equal(1, await queue.GetAsync(Timeout).WaitAsync(Timeout));
        await put.WaitAsync(Timeout);
        Assert.Equal([2, 3], await queue.GetNowaitBatchAsync(2).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_get_that_times_out_throws_queue_empty_and_the_next_item_goes_to_the_next_get()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid);

        var error = await Assert.ThrowsAsync<QueueEmptyException>(() => queue.GetAsync(Short).WaitAsync(Timeout));
        Assert.Contains("stayed empty", error.Message);
        await Assert.ThrowsAsync<QueueEmptyException>(() => queue.GetAsync(TimeSpan.Zero).WaitAsync(Timeout));

        await queue.PutAsync(7).WaitAsync(Timeout);
        Assert.Equal(1, await queue.CountAsync().WaitAsync(Timeout)); // not swallowed by the gets that gave up
        Assert.Equal(7, await queue.GetNowaitAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_put_that_times_out_on_a_full_queue_throws_queue_full_and_puts_nothing()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid, maxSize: 1);
        await queue.PutAsync(1).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<QueueFullException>(() => queue.PutAsync(2, Short).WaitAsync(Timeout));
        Assert.Contains("stayed full", error.Message);
        await Assert.ThrowsAsync<QueueFullException>(() => queue.PutAsync(3, TimeSpan.Zero).WaitAsync(Timeout));

        Assert.Equal(1, await queue.GetAsync(Timeout).WaitAsync(Timeout));
        Assert.True(await queue.IsEmptyAsync().WaitAsync(Timeout)); // the timed-out puts left nothing behind
    }

    [Fact]
    public async Task The_nowait_calls_throw_at_once_and_batches_are_all_or_nothing()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid, maxSize: 3);

        await Assert.ThrowsAsync<QueueEmptyException>(() => queue.GetNowaitAsync().WaitAsync(Timeout));
        await queue.PutNowaitAsync(1).WaitAsync(Timeout);
        await queue.PutNowaitBatchAsync([2, 3]).WaitAsync(Timeout);
        await Assert.ThrowsAsync<QueueFullException>(() => queue.PutNowaitAsync(4).WaitAsync(Timeout));
        Assert.Equal(1, await queue.GetNowaitAsync().WaitAsync(Timeout));
        await Assert.ThrowsAsync<QueueFullException>(() => queue.PutNowaitBatchAsync([4, 5]).WaitAsync(Timeout));
        Assert.Equal(2, await queue.CountAsync().WaitAsync(Timeout)); // the batch that did not fit put nothing

        await Assert.ThrowsAsync<QueueEmptyException>(() => queue.GetNowaitBatchAsync(3).WaitAsync(Timeout));
        Assert.Equal([2, 3], await queue.GetNowaitBatchAsync(2).WaitAsync(Timeout));
        Assert.Empty(await queue.GetNowaitBatchAsync(0).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_queue_passed_to_a_task_carries_its_items_to_the_driver()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid, maxSize: 2);
        var produce = Grid.Function<GridQueue<int>, int, int>(QueueFunctions.Produce);

        var produced = produce.Remote(queue, 10); // waits for room in the queue while the driver consumes
        var got = new List<int>();
        for (var i = 0; i < 10; i++) got.Add(await queue.GetAsync(Timeout).WaitAsync(Timeout));

        Assert.Equal([.. Enumerable.Range(0, 10)], got);
        Assert.Equal(10, await Grid.GetAsync(produced, Timeout));
        Assert.True(await queue.IsEmptyAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_queue_passed_to_an_actor_feeds_the_driver_and_back()
    {
        await using var requests = await GridQueue<int>.CreateAsync(Grid);
        await using var replies = await GridQueue<int>.CreateAsync(Grid);
        var squarer = await Grid.CreateActorAsync(() => new QueueSquarer());

        var served = squarer.Call(s => s.Serve(requests, replies, 3));
        foreach (var v in new[] { 2, 3, 4 }) await requests.PutAsync(v).WaitAsync(Timeout);
        var got = new List<int>();
        for (var i = 0; i < 3; i++) got.Add(await replies.GetAsync(Timeout).WaitAsync(Timeout));

        Assert.Equal([4, 9, 16], got);
        Assert.Equal(3, await served.GetAsync(Timeout));
        await squarer.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_cancelled_get_is_withdrawn_and_does_not_take_a_later_item()
    {
        await using var queue = await GridQueue<int>.CreateAsync(Grid);
        using var cancel = new CancellationTokenSource();

        var get = queue.GetAsync(cancellationToken: cancel.Token);
        Assert.Equal(0, await queue.CountAsync().WaitAsync(Timeout)); // a round trip behind the get
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Timeout));

        await queue.PutAsync(9).WaitAsync(Timeout);
        Assert.Equal(9, await queue.GetAsync(Timeout).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Shutdown_fails_waiting_and_later_calls_with_actor_died()
    {
        var queue = await GridQueue<int>.CreateAsync(Grid);
        var waiting = queue.GetAsync();
        Assert.True(await queue.IsEmptyAsync().WaitAsync(Timeout)); // a round trip behind the get

        await queue.ShutdownAsync().WaitAsync(Timeout);
        await Assert.ThrowsAsync<ActorDiedException>(() => waiting.WaitAsync(Timeout));
        await Assert.ThrowsAsync<ActorDiedException>(() => queue.PutNowaitAsync(1).WaitAsync(Timeout));
        await queue.DisposeAsync(); // after shutdown, nothing more
    }
}

public static class QueueFunctions
{
    /// <summary>Puts 0..count-1, waiting for room as needed.</summary>
    public static async Task<int> Produce(GridQueue<int> queue, int count)
    {
        for (var i = 0; i < count; i++) await queue.PutAsync(i, TimeSpan.FromSeconds(60));
        return count;
    }
}

/// <summary>Reads numbers from one queue and puts their squares on another.</summary>
public sealed class QueueSquarer
{
    public async Task<int> Serve(GridQueue<int> requests, GridQueue<int> replies, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var v = await requests.GetAsync(TimeSpan.FromSeconds(60));
            await replies.PutAsync(v * v);
        }
        return count;
    }
}

[Collection("embedded")]
public sealed class EmbeddedGridQueueTests(EmbeddedGridFixture fixture) : GridQueueTests(fixture);

[Collection("cluster")]
public sealed class ClusterGridQueueTests(ClusterGridFixture fixture) : GridQueueTests(fixture);
