using Grid.Serialization;

namespace Grid;

/// <summary>
/// A first-in first-out queue shared by the driver, tasks and actors (Ray's <c>ray.util.queue.Queue</c>), kept by an
/// actor. Create it with <see cref="CreateAsync"/>; pass it to tasks and actor methods like an actor handle (it reaches
/// the same queue there). Each item goes to exactly one get, in the order the puts reached the queue; items put by one
/// caller arrive in that caller's order. A queue made with a <c>maxSize</c> holds at most that many items: puts wait
/// while it is full. The queue lives as long as its actor: until <see cref="ShutdownAsync"/>, or the end of the job
/// that created it (unless its ActorOptions say <c>Lifetime = Detached</c>).
/// </summary>
/// <remarks>
/// Waiting gets and puts each hold one of the actor's concurrent slots (ActorOptions.MaxConcurrency, 1000 by default)
/// while they wait; calls beyond that wait for a slot, so keep fewer blocked callers than that.
/// </remarks>
/// <typeparam name="T">The items' type: any type Grid serializes.</typeparam>
[GridCodec(typeof(GridQueueCodec<>))]
public sealed class GridQueue<T> : IAsyncDisposable
{
    /// <summary>The MaxConcurrency a queue's actor gets unless its options ask for 2 or more.</summary>
    public const int DefaultMaxConcurrency = 1000;

    private int _shutdown;

    internal GridQueue(ActorHandle<QueueActor<T>> actor, int maxSize)
    {
        Actor = actor;
        MaxSize = maxSize;
    }

    internal ActorHandle<QueueActor<T>> Actor { get; }

    /// <summary>The most items the queue holds; 0 is unbounded.</summary>
    public int MaxSize { get; }

    /// <summary>The id of the actor that keeps the queue (for <c>grid status</c> and logs).</summary>
    public ActorId ActorId => Actor.ActorId;

    /// <summary>
    /// Creates a queue (Ray's <c>Queue(maxsize, actor_options)</c>): its actor is placed on the cluster by
    /// <paramref name="actorOptions"/> (a name makes it findable, a detached lifetime keeps it past this job).
    /// </summary>
    /// <param name="maxSize">The most items it holds, at least 0; 0 (the default) is unbounded.</param>
    /// <param name="actorOptions">The actor's options; a MaxConcurrency below 2 is raised to <see cref="DefaultMaxConcurrency"/>,
    /// since a get waiting on an empty queue must not stop the put that feeds it.</param>
    public static async Task<GridQueue<T>> CreateAsync(GridClient grid, int maxSize = 0, ActorOptions? actorOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        var options = actorOptions ?? ActorOptions.Default;
        if (options.MaxConcurrency < 2) options = options with { MaxConcurrency = DefaultMaxConcurrency };
        var actor = await grid.CreateActorAsync(() => new QueueActor<T>(maxSize), options, cancellationToken).ConfigureAwait(false);
        return new GridQueue<T>(actor, maxSize);
    }

    /// <summary>How many items the queue holds now (Ray's <c>qsize</c>); other callers may change it at once.</summary>
    public Task<int> CountAsync(CancellationToken cancellationToken = default) =>
        Actor.Call(q => q.Count()).GetAsync(cancellationToken: cancellationToken);

    /// <summary>Whether the queue holds no item now.</summary>
    public Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default) =>
        Actor.Call(q => q.IsEmpty()).GetAsync(cancellationToken: cancellationToken);

    /// <summary>Whether a bounded queue holds <see cref="MaxSize"/> items now (never true when unbounded).</summary>
    public Task<bool> IsFullAsync(CancellationToken cancellationToken = default) =>
        Actor.Call(q => q.IsFull()).GetAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Puts <paramref name="item"/> at the end of the queue, waiting while it is full (Ray's <c>put</c>): at most
    /// <paramref name="timeout"/> (null: as long as it takes; zero: not at all), then <see cref="QueueFullException"/>
    /// and the item is not put. When <paramref name="cancellationToken"/> fires, the wait is withdrawn and
    /// <see cref="OperationCanceledException"/> thrown, unless the item was put meanwhile (then this returns normally).
    /// </summary>
    public async Task PutAsync(T item, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid();
        var ms = Milliseconds(timeout);
        var reply = await WaitAsync(Actor.Call(q => q.Put(id, item, ms)), id, cancellationToken).ConfigureAwait(false);
        if (reply.Outcome == QueueOutcome.TimedOut)
            throw new QueueFullException(
                $"The queue (actor {ActorId}) stayed full, {MaxSize} items, for {timeout}: the item was not put. " +
                "Get items to make room, wait longer, or create the queue with a larger maxSize.");
    }

    /// <summary>
    /// Takes the oldest item, waiting while the queue is empty (Ray's <c>get</c>): at most <paramref name="timeout"/>
    /// (null: as long as it takes; zero: not at all), then <see cref="QueueEmptyException"/>; an item put after that
    /// goes to a later get. When <paramref name="cancellationToken"/> fires, the wait is withdrawn and
    /// <see cref="OperationCanceledException"/> thrown, unless an item was taken meanwhile (then it is returned).
    /// </summary>
    public async Task<T> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid();
        var ms = Milliseconds(timeout);
        var reply = await WaitAsync(Actor.Call(q => q.Get(id, ms)), id, cancellationToken).ConfigureAwait(false);
        if (reply.Outcome == QueueOutcome.TimedOut)
            throw new QueueEmptyException(
                $"The queue (actor {ActorId}) stayed empty for {timeout}: nothing was taken. " +
                "Wait longer, put items first, or use GetNowaitAsync to poll.");
        return reply.Item!;
    }

    /// <summary>Puts <paramref name="item"/> if the queue has room now (Ray's <c>put_nowait</c>), else throws <see cref="QueueFullException"/>.</summary>
    public async Task PutNowaitAsync(T item, CancellationToken cancellationToken = default)
    {
        if (await Actor.Call(q => q.PutNowait(item)).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false) != QueueOutcome.Done)
            throw Full(1);
    }

    /// <summary>
    /// Puts all of <paramref name="items"/>, in order, if the queue has room for all of them now (Ray's
    /// <c>put_nowait_batch</c>); else puts none and throws <see cref="QueueFullException"/>.
    /// </summary>
    public async Task PutNowaitBatchAsync(IEnumerable<T> items, CancellationToken cancellationToken = default)
    {
        List<T> batch = [.. items ?? throw new ArgumentNullException(nameof(items))];
        if (await Actor.Call(q => q.PutNowaitBatch(batch)).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false) != QueueOutcome.Done)
            throw Full(batch.Count);
    }

    /// <summary>Takes the oldest item if there is one now (Ray's <c>get_nowait</c>), else throws <see cref="QueueEmptyException"/>.</summary>
    public async Task<T> GetNowaitAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Actor.Call(q => q.GetNowait()).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply.Outcome == QueueOutcome.Done ? reply.Item! : throw Empty(1);
    }

    /// <summary>
    /// Takes the <paramref name="count"/> oldest items, oldest first, if the queue holds that many now (Ray's
    /// <c>get_nowait_batch</c>); else takes none and throws <see cref="QueueEmptyException"/>.
    /// </summary>
    public async Task<IReadOnlyList<T>> GetNowaitBatchAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var reply = await Actor.Call(q => q.GetNowaitBatch(count)).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply.Outcome == QueueOutcome.Done ? reply.Items ?? [] : throw Empty(count);
    }

    /// <summary>
    /// Ends the queue (Ray's <c>shutdown</c>): kills its actor, with the items it holds. Waiting and later calls, from any
    /// process, fail with <see cref="ActorDiedException"/>. Call it once, from the queue's owner; a second call here does nothing.
    /// </summary>
    public Task ShutdownAsync(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _shutdown, 1) == 0 ? Actor.KillAsync(noRestart: true, cancellationToken) : Task.CompletedTask;

    /// <summary>Shuts the queue down (<see cref="ShutdownAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    public override string ToString() => $"GridQueue<{typeof(T).Name}>({ActorId}, maxSize {MaxSize})";

    /// <summary>
    /// Waits for a put's or get's reply. On cancellation the actor is asked to withdraw the waiter, and the reply is
    /// awaited still (the withdrawal makes it come at once): Cancelled, and the cancellation is thrown; or what the call
    /// did before the withdrawal arrived, which is kept, since an item taken must not be lost.
    /// </summary>
    private async Task<QueueReply<T>> WaitAsync(ObjectRef<QueueReply<T>> call, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            return await call.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // This caller's calls start in submission order: the withdrawal starts after the call it withdraws.
            _ = Actor.Call(q => q.Cancel(id));
            var reply = await call.GetAsync().ConfigureAwait(false);
            if (reply.Outcome == QueueOutcome.Cancelled) throw;
            return reply;
        }
    }

    private static long Milliseconds(TimeSpan? timeout) => timeout switch
    {
        null => -1,
        { } t when t == Timeout.InfiniteTimeSpan => -1,
        { } t when t < TimeSpan.Zero => throw new ArgumentOutOfRangeException(nameof(timeout), t, "A queue timeout is zero or more, or null to wait as long as it takes."),
        { } t => (long)Math.Ceiling(t.TotalMilliseconds),
    };

    private QueueFullException Full(int count) => new(
        $"The queue (actor {ActorId}) has no room for {count} item(s) now ({MaxSize} at most): nothing was put. " +
        "Get items first, use PutAsync to wait for room, or create the queue with a larger maxSize.");

    private QueueEmptyException Empty(int count) => new(
        $"The queue (actor {ActorId}) holds fewer than {count} item(s) now: nothing was taken. " +
        "Use GetAsync to wait for items, or check CountAsync first.");
}

/// <summary>
/// A <see cref="GridQueue{T}"/> in a value: its bound and its actor's handle, read back bound to the reading process (as
/// <see cref="ActorHandleCodec{T}"/> reads handles), so the queue passes to tasks and actors like a handle.
/// </summary>
internal sealed class GridQueueCodec<T> : ClassCodec<GridQueue<T>>
{
    private static readonly ActorHandleCodec<QueueActor<T>> Handle = new();

    public override void WriteBody(ref GridWriter writer, GridQueue<T> value)
    {
        writer.WriteVarUInt((uint)value.MaxSize);
        Handle.WriteBody(ref writer, value.Actor);
    }

    public override GridQueue<T> ReadBody(ref GridReader reader)
    {
        var maxSize = (int)reader.ReadVarUInt();
        return new GridQueue<T>(Handle.ReadBody(ref reader), maxSize);
    }
}
