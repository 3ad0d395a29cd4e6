using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.Core;

/// <summary>
/// Streaming generators (Ray's <c>num_returns="streaming"</c>): a task or actor method that returns a sequence, called
/// as a stream, hands its items' refs to the caller in order as it yields them, pauses under backpressure, ends the
/// stream with its exception, and is cancelled when the caller drops the stream. Every wait is on a signal the
/// producer sets; none on time.
/// </summary>
public abstract class StreamingGeneratorTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected GridClient Grid => fixture.Grid;

    [Fact]
    public async Task Items_arrive_in_order_before_the_producer_finishes()
    {
        var run = StreamRun.New(out var id);
        await using var stream = Grid.Function<string, IAsyncEnumerable<int>>(StreamFunctions.TwoThenGate).RemoteStream(id);

        // The producer waits at its gate after two items: both are here, values and all, while it is still running.
        var first = await stream.NextAsync().AsTask().WaitAsync(Timeout);
        var second = await stream.NextAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(1, await first!.GetAsync(Timeout));
        Assert.Equal(2, await second!.GetAsync(Timeout));
        Assert.False(run.Finished.Task.IsCompleted);

        run.Gate.TrySetResult();
        var third = await stream.NextAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(3, await third!.GetAsync(Timeout));
        Assert.Null(await stream.NextAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(3, await stream.Completion.GetAsync(Timeout));
    }

    [Fact]
    public async Task A_synchronous_sequence_streams_too_and_await_foreach_reads_it_all()
    {
        var values = new List<int>();
        await foreach (var item in Grid.Function<int, IEnumerable<int>>(StreamFunctions.Squares).RemoteStream(5).WithCancellation(CancellationToken.None))
            values.Add(await item.GetAsync(Timeout));
        Assert.Equal([0, 1, 4, 9, 16], values);
    }

    [Fact]
    public async Task An_actor_method_streams_its_items()
    {
        var actor = await Grid.CreateActorAsync(() => new StreamingActor("x"));
        var values = new List<string>();
        await foreach (var item in actor.CallStream(a => a.Items(4)))
            values.Add(await item.GetAsync(Timeout));
        Assert.Equal(["x0", "x1", "x2", "x3"], values);
        Assert.Equal(1, await Grid.GetAsync(actor.Call(a => a.Streams()), Timeout)); // the actor's turn is free again
        await actor.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_large_item_goes_to_the_object_store_and_each_item_is_owned_by_the_caller()
    {
        await using var stream = Grid.Function<int, IAsyncEnumerable<byte[]>>(StreamFunctions.SmallThenLarge).RemoteStream(2 * 1024 * 1024);
        var refs = new List<ObjectRef<byte[]>>();
        while (await stream.NextAsync().AsTask().WaitAsync(Timeout) is { } item) refs.Add(item);

        Assert.Equal(2, refs.Count);
        Assert.Equal(PayloadKind.Inline, (await PayloadOf(refs[0])).Kind);
        Assert.Equal(PayloadKind.Stored, (await PayloadOf(refs[1])).Kind);
        var large = await refs[1].GetAsync(Timeout);
        Assert.Equal(2 * 1024 * 1024, large.Length);
        Assert.Equal(7, large[^1]);
        Assert.All(refs, r => Assert.Equal(Grid.Worker.OwnerAddress, r.Owner));
    }

    private Task<ObjectPayload> PayloadOf(ObjectRef r)
    {
        Assert.True(Grid.Worker.Owned.TryGet(r.Id, out var payload), "the caller owns the item");
        return payload.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Backpressure_pauses_the_producer_until_the_consumer_takes_items()
    {
        var run = StreamRun.New(out var id);
        await using var stream = Grid.Function<string, int, IAsyncEnumerable<int>>(StreamFunctions.Counted)
            .Options(new TaskOptions { GeneratorBackpressure = 2 }).RemoteStream(id, 6);

        // Nothing taken: the producer yields two items and waits.
        await run.YieldedAt(2).WaitAsync(Timeout);
        var values = new List<int>();
        for (var taken = 0; taken < 6; taken++)
        {
            run.Started(); // counted before the take, so the producer's bound is checked against an upper bound of takes
            var item = await stream.NextAsync().AsTask().WaitAsync(Timeout);
            values.Add(await item!.GetAsync(Timeout));
            if (taken == 0) await run.YieldedAt(3).WaitAsync(Timeout); // taking one lets it produce one more
        }
        Assert.Null(await stream.NextAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal([0, 1, 2, 3, 4, 5], values);
        Assert.True(run.MaxAhead <= 2, $"the producer ran {run.MaxAhead} items ahead of the consumer's takes (limit 2)");
    }

    [Fact]
    public async Task An_exception_in_the_producer_is_the_next_item_and_ends_the_stream()
    {
        var refs = new List<ObjectRef<int>>();
        await foreach (var item in Grid.Function<int, IAsyncEnumerable<int>>(StreamFunctions.ThrowsAfter).RemoteStream(3))
            refs.Add(item);

        Assert.Equal(4, refs.Count);
        for (var i = 0; i < 3; i++) Assert.Equal(i, await refs[i].GetAsync(Timeout));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refs[3].GetAsync(Timeout));
        Assert.Contains("boom after 3", error.Message);
    }

    [Fact]
    public async Task Leaving_the_stream_early_cancels_the_producer()
    {
        var run = StreamRun.New(out var id);
        var taken = 0;
        await foreach (var item in Grid.Function<string, IAsyncEnumerable<int>>(StreamFunctions.UntilCancelled).RemoteStream(id))
        {
            Assert.Equal(taken, await item.GetAsync(Timeout));
            if (++taken == 2) break; // the producer now waits on its token, in its own code
        }
        Assert.True(await run.Finished.Task.WaitAsync(Timeout), "the producer's token was cancelled before its finally ran");
    }

    [Fact]
    public async Task Disposing_a_stream_held_by_backpressure_cancels_the_producer()
    {
        var run = StreamRun.New(out var id);
        var stream = Grid.Function<string, int, IAsyncEnumerable<int>>(StreamFunctions.Counted)
            .Options(new TaskOptions { GeneratorBackpressure = 1 }).RemoteStream(id, 1000);
        await run.YieldedAt(1).WaitAsync(Timeout);
        await stream.DisposeAsync();
        await run.Finished.Task.WaitAsync(Timeout);
        Assert.True(run.Yielded < 1000);
    }

    [Fact]
    public async Task An_actor_killed_mid_stream_gives_ActorDiedException_as_the_next_item()
    {
        var run = StreamRun.New(out var id);
        var actor = await Grid.CreateActorAsync(() => new StreamingActor("k"));
        await using var stream = actor.CallStream(a => a.OneThenGate(id));
        var first = await stream.NextAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("k0", await first!.GetAsync(Timeout));

        await actor.KillAsync().WaitAsync(Timeout);
        var next = await stream.NextAsync().AsTask().WaitAsync(Timeout);
        Assert.NotNull(next);
        await Assert.ThrowsAsync<ActorDiedException>(() => next.GetAsync(Timeout));
        Assert.Null(await stream.NextAsync().AsTask().WaitAsync(Timeout));
    }
}

/// <summary>What a test and its producer share (one process: the test's silos run in it).</summary>
public sealed class StreamRun
{
    private static readonly ConcurrentDictionary<string, StreamRun> Runs = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _yielded = new();
    private int _started;
    private int _maxAhead;

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Set in the producer's finally: whether its cancellation token was cancelled.</summary>
    public TaskCompletionSource<bool> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Yielded;
    public int MaxAhead => Volatile.Read(ref _maxAhead);

    public static StreamRun New(out string id)
    {
        id = Guid.NewGuid().ToString("N");
        return Of(id);
    }

    public static StreamRun Of(string id) => Runs.GetOrAdd(id, _ => new StreamRun());

    /// <summary>Completes once the producer has yielded <paramref name="count"/> items.</summary>
    public Task YieldedAt(int count) => _yielded.GetOrAdd(count, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Started() => Interlocked.Increment(ref _started);

    public void Yield()
    {
        var count = Interlocked.Increment(ref Yielded);
        var ahead = count - Volatile.Read(ref _started);
        int seen;
        while (ahead > (seen = Volatile.Read(ref _maxAhead)) && Interlocked.CompareExchange(ref _maxAhead, ahead, seen) != seen) { }
        _yielded.GetOrAdd(count, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}

public static class StreamFunctions
{
    public static async IAsyncEnumerable<int> TwoThenGate(string run)
    {
        var r = StreamRun.Of(run);
        try
        {
            yield return 1;
            yield return 2;
            await r.Gate.Task;
            yield return 3;
        }
        finally { r.Finished.TrySetResult(false); }
    }

    public static IEnumerable<int> Squares(int n) => Enumerable.Range(0, n).Select(i => i * i);

    public static async IAsyncEnumerable<byte[]> SmallThenLarge(int size)
    {
        await Task.Yield();
        yield return [1, 2, 3];
        var large = new byte[size];
        large[^1] = 7;
        yield return large;
    }

    public static IAsyncEnumerable<int> Counted(string run, int n) => CountedCore(run, n);

    // The token GetAsyncEnumerator receives (the stream's cancellation) reaches the [EnumeratorCancellation] parameter.
    private static async IAsyncEnumerable<int> CountedCore(string run, int n, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var r = StreamRun.Of(run);
        try
        {
            for (var i = 0; i < n; i++)
            {
                await Task.Yield();
                r.Yield();
                yield return i;
            }
        }
        finally { r.Finished.TrySetResult(cancellationToken.IsCancellationRequested); }
    }

    public static async IAsyncEnumerable<int> ThrowsAfter(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
        throw new InvalidOperationException($"boom after {count}");
    }

    public static IAsyncEnumerable<int> UntilCancelled(string run) => UntilCancelledCore(run);

    private static async IAsyncEnumerable<int> UntilCancelledCore(string run, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var r = StreamRun.Of(run);
        try
        {
            yield return 0;
            yield return 1;
            await r.Gate.Task.WaitAsync(cancellationToken); // never opened: only the cancellation ends this
            yield return 2;
        }
        finally { r.Finished.TrySetResult(cancellationToken.IsCancellationRequested); }
    }
}

public sealed class StreamingActor(string prefix)
{
    private int _streams;

    public async IAsyncEnumerable<string> Items(int n)
    {
        _streams++;
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return prefix + i;
        }
    }

    public int Streams() => _streams;

    public async IAsyncEnumerable<string> OneThenGate(string run)
    {
        yield return prefix + 0;
        await StreamRun.Of(run).Gate.Task; // never opened: the actor is killed meanwhile
        yield return prefix + 1;
    }
}

[Collection("embedded")]
public sealed class EmbeddedStreamingGeneratorTests(EmbeddedGridFixture fixture) : StreamingGeneratorTests(fixture);

[Collection("cluster")]
public sealed class ClusterStreamingGeneratorTests(ClusterGridFixture fixture) : StreamingGeneratorTests(fixture);
