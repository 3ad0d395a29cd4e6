namespace Grid.ObjectStore.Tests;

public sealed class WaitTests
{
    [Fact]
    public async Task WaitAsync_completes_when_the_object_is_sealed()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();

        var waiting = store.WaitAsync(id, CancellationToken.None);
        Assert.False(waiting.IsCompleted); // not created yet

        using var writer = store.Create(id, 4);
        writer.Span.Fill(9);
        Assert.False(waiting.IsCompleted); // created, not sealed
        writer.Seal();

        using var obj = await waiting;
        Assert.Equal(id, obj.Id);
        Assert.Equal([9, 9, 9, 9], obj.Span.ToArray());
    }

    [Fact]
    public async Task WaitAsync_of_a_sealed_object_completes_at_once()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        store.Put(id, [1, 2, 3]);

        var waiting = store.WaitAsync(id, CancellationToken.None);

        Assert.True(waiting.IsCompletedSuccessfully);
        using var obj = await waiting;
        Assert.Equal(3, obj.Size);
    }

    [Fact]
    public async Task Many_waiters_all_wake_on_one_seal()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var waiters = Enumerable.Range(0, 10).Select(_ => store.WaitAsync(id, CancellationToken.None)).ToArray();

        store.Put(id, [42]);

        foreach (var obj in await Task.WhenAll(waiters))
        {
            using (obj) Assert.Equal(42, obj.Span[0]);
        }
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_a_later_wait_still_works()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        using var cancel = new CancellationTokenSource();

        var cancelled = store.WaitAsync(id, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        var waiting = store.WaitAsync(id, CancellationToken.None);
        store.Put(id, [5]);
        using var obj = await waiting;
        Assert.Equal(5, obj.Span[0]);
    }

    [Fact]
    public async Task An_aborted_create_does_not_wake_waiters_but_a_later_seal_does()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        var waiting = store.WaitAsync(id, CancellationToken.None);

        store.Create(id, 10).Abort();
        Assert.False(waiting.IsCompleted);

        store.Put(id, new byte[10]);
        using var obj = await waiting;
        Assert.Equal(10, obj.Size);
    }

    [Fact]
    public async Task Disposing_the_store_fails_its_waiters()
    {
        var store = TestData.NewStore();
        var waiting = store.WaitAsync(ObjectId.New(), CancellationToken.None);

        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
    }
}
