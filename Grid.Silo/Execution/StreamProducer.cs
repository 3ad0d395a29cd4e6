using System.Collections.Concurrent;
using System.Reflection;
using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Execution;

/// <summary>
/// Runs the producing side of a stream (see <see cref="StreamSpec"/>): iterates the sequence the user's code returned,
/// stores each item as an object owned by the caller and hands it to a <see cref="Reporter"/>, which reports the items
/// to the stream's channel in batches while the sequence goes on producing: one report in flight at a time, carrying
/// every item stored meanwhile. Under backpressure the sequence is not asked for item i until the consumer took every
/// item before i − <see cref="StreamSpec.Backpressure"/> + 1 (as the channel's replies say). The consumer dropping the
/// stream cancels the token the sequence was given and disposes its enumerator. An exception the sequence throws ends
/// the stream with it, as one more item; streams are not retried on exceptions. Returns the task's own result: the
/// item count, or that error.
/// </summary>
internal static class StreamProducer
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan NodeFailurePause = TimeSpan.FromMilliseconds(200);

    public static async ValueTask<ObjectPayload> RunAsync(CoreWorker worker, object? sequence, Type sequenceType, ObjectId taskId,
        GrainId owner, StreamSpec stream, FailureOrigin origin, Func<bool>? abandoned)
    {
        var channel = worker.Grains.GetGrain<IStreamChannelGrain>(taskId.ToString());
        using var cancel = new CancellationTokenSource();
        using var done = new CancellationTokenSource();
        var watcher = WatchAsync(channel, cancel, done.Token);
        var reporter = new Reporter(channel, stream.Backpressure);
        var count = 0;
        ObjectPayload? error = null;
        try
        {
            var (itemType, open) = Enumeration(sequenceType);
            if (sequence is null) throw new InvalidOperationException($"{origin} returned null instead of a sequence to stream.");
            var skip = await OnChannel(channel.Open).ConfigureAwait(false); // a run after a node death skips what the consumer has
            var items = open(sequence, cancel.Token);
            try
            {
                while (true)
                {
                    if (count >= skip && !await reporter.WaitRoomAsync(count).ConfigureAwait(false))
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                        break;
                    }
                    try
                    {
                        if (!await items.MoveNextAsync().ConfigureAwait(false)) break;
                    }
                    catch (OperationCanceledException) when (cancel.IsCancellationRequested) { break; }
                    if (reporter.Cancelled) await cancel.CancelAsync().ConfigureAwait(false);
                    if (cancel.IsCancellationRequested || abandoned?.Invoke() == true) break;
                    var index = count++;
                    if (index < skip) continue;
                    var payload = await worker.StoreValueAsync(ObjectId.ForReturn(taskId, index + 1), items.Current, itemType, owner: owner).ConfigureAwait(false);
                    reporter.Add(new StreamItem(index, payload));
                }
            }
            finally
            {
                await items.DisposeAsync().ConfigureAwait(false); // runs the sequence's finally blocks
            }
        }
        catch (Exception e)
        {
            error = ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin.ToString()));
        }
        await done.CancelAsync().ConfigureAwait(false);
        await reporter.FinishAsync(new StreamEnd(count, error)).ConfigureAwait(false);
        await watcher.ConfigureAwait(false);
        return error ?? await worker.StoreValueAsync(taskId, count, typeof(int), owner: owner).ConfigureAwait(false);
    }

    /// <summary>A call to the channel, made again while it fails for its node's death (the next call reaches a new activation).</summary>
    private static async Task<T> OnChannel<T>(Func<Task<T>> call)
    {
        for (var tries = 0; ; tries++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e) && tries < 300)
            {
                await Task.Delay(NodeFailurePause).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reports a producer's items to its channel, one call in flight at a time, each carrying every item stored since the
    /// last (so a fast sequence sends batches and a slow one single items, at once). Keeps the items the consumer is not
    /// known to have taken, to report them again to a fresh channel (its node died: a reply with a new epoch, or a call
    /// failing for the node).
    /// </summary>
    private sealed class Reporter
    {
        private readonly Lock _lock = new();
        private readonly IStreamChannelGrain _channel;
        private readonly int _backpressure;
        private readonly List<StreamItem> _fresh = [];    // stored, not yet sent
        private readonly List<StreamItem> _unacked = [];  // sent, not known taken, in order
        private readonly Task _loop;
        private TaskCompletionSource _work = Signal();    // wakes the loop
        private TaskCompletionSource _room = Signal();    // wakes the producer
        private int _taken;
        private int _need;                                // the producer waits until the consumer took this many
        private StreamEnd? _end;
        private volatile bool _cancelled;

        public Reporter(IStreamChannelGrain channel, int backpressure)
        {
            _channel = channel;
            _backpressure = backpressure;
            _loop = Task.Run(LoopAsync);
        }

        private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The consumer dropped the stream.</summary>
        public bool Cancelled => _cancelled;

        public void Add(StreamItem item)
        {
            lock (_lock)
            {
                _fresh.Add(item);
                _work.TrySetResult();
            }
        }

        /// <summary>Waits until item <paramref name="next"/> may be produced (backpressure); false once the stream was dropped.</summary>
        public async ValueTask<bool> WaitRoomAsync(int next)
        {
            if (_backpressure <= 0) return !_cancelled;
            while (true)
            {
                Task room;
                lock (_lock)
                {
                    if (_cancelled) return false;
                    if (next - _taken < _backpressure) return true;
                    _need = next - _backpressure + 1;
                    room = _room.Task;
                    _work.TrySetResult();
                }
                await room.ConfigureAwait(false);
            }
        }

        /// <summary>Reports what is left and the end, and waits until the channel has them.</summary>
        public Task FinishAsync(StreamEnd end)
        {
            lock (_lock)
            {
                _end = end;
                _work.TrySetResult();
            }
            return _loop;
        }

        private async Task LoopAsync()
        {
            var epoch = Guid.Empty;
            var resend = false;
            var failures = 0;
            while (true)
            {
                StreamItem[] batch;
                int need;
                StreamEnd? end;
                Task? wait = null;
                lock (_lock)
                {
                    end = _end;
                    need = _need > _taken ? _need : 0;
                    if (!resend && end is null && _fresh.Count == 0 && need == 0)
                    {
                        _work = Signal();
                        wait = _work.Task;
                    }
                    batch = resend ? [.. _unacked, .. _fresh] : [.. _fresh];
                    _unacked.AddRange(_fresh);
                    _fresh.Clear();
                }
                if (wait is not null)
                {
                    await wait.ConfigureAwait(false);
                    continue;
                }
                var sentAll = resend;
                StreamReply reply;
                try
                {
                    reply = end is null
                        ? await _channel.Report(batch, need, LongPoll).ConfigureAwait(false)
                        : await _channel.Finish(batch, end).ConfigureAwait(false);
                }
                catch (Exception e) when (FailureClassifier.IsNodeFailure(e) && ++failures < 300)
                {
                    // The channel's node died: report every untaken item again to the one that takes over.
                    resend = true;
                    await Task.Delay(NodeFailurePause).ConfigureAwait(false);
                    continue;
                }
                catch (Exception)
                {
                    // The channel cannot be reached otherwise: the stream is lost with it; the task's own end tells the consumer.
                    lock (_lock)
                    {
                        _cancelled = true;
                        _room.TrySetResult();
                    }
                    return;
                }
                failures = 0;
                lock (_lock)
                {
                    resend = epoch != Guid.Empty && reply.Epoch != epoch && !sentAll;
                    epoch = reply.Epoch;
                    if (reply.Taken > _taken)
                    {
                        _taken = reply.Taken;
                        _unacked.RemoveAll(i => i.Index < _taken);
                    }
                    if (reply.Cancelled) _cancelled = true;
                    if (_cancelled || _need <= _taken)
                    {
                        _room.TrySetResult();
                        _room = Signal();
                    }
                }
                if (end is not null && !resend) return;
            }
        }
    }

    /// <summary>Cancels <paramref name="cancel"/> once the consumer drops the stream, polling until the producer is <paramref name="done"/>.</summary>
    private static async Task WatchAsync(IStreamChannelGrain channel, CancellationTokenSource cancel, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            try
            {
                // Left at once when the producer is done: its poll may have reached a fresh activation (the consumer
                // dropped the finished channel meanwhile) that would hold it for the whole poll.
                if (await channel.WhenCancelled(LongPoll).WaitAsync(done).ConfigureAwait(false))
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                // The channel's node died: a new channel takes over on the next call.
                await Task.Delay(TimeSpan.FromMilliseconds(200), done).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private delegate IAsyncEnumerator<object?> Opener(object sequence, CancellationToken cancellationToken);

    private static readonly ConcurrentDictionary<Type, (Type Item, Opener Open)> Openers = new();

    /// <summary>The item type of a sequence type (IAsyncEnumerable&lt;T&gt; or IEnumerable&lt;T&gt;) and how to iterate it.</summary>
    private static (Type Item, Opener Open) Enumeration(Type sequenceType) => Openers.GetOrAdd(sequenceType, static type =>
    {
        if (Find(type, typeof(IAsyncEnumerable<>)) is { } asyncItem)
            return (asyncItem, Create(nameof(OpenAsync), asyncItem));
        if (Find(type, typeof(IEnumerable<>)) is { } item)
            return (item, Create(nameof(OpenSync), item));
        throw new InvalidOperationException(
            $"Only a method that returns IAsyncEnumerable<T> or IEnumerable<T> can be called as a stream; this one returns {type.Name}.");
    });

    private static Type? Find(Type type, Type generic)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == generic) return type.GetGenericArguments()[0];
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic)?.GetGenericArguments()[0];
    }

    private static Opener Create(string name, Type item) =>
        typeof(StreamProducer).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item).CreateDelegate<Opener>();

    private static async IAsyncEnumerator<object?> OpenAsync<T>(object sequence, CancellationToken cancellationToken)
    {
        // The token reaches an async iterator's [EnumeratorCancellation] parameter.
        await foreach (var item in ((IAsyncEnumerable<T>)sequence).WithCancellation(cancellationToken).ConfigureAwait(false)) yield return item;
    }

#pragma warning disable CS1998 // an iterator over a synchronous sequence
    private static async IAsyncEnumerator<object?> OpenSync<T>(object sequence, CancellationToken cancellationToken)
    {
        foreach (var item in (IEnumerable<T>)sequence)
        {
            yield return item;
            if (cancellationToken.IsCancellationRequested) yield break;
        }
    }
#pragma warning restore CS1998
}
