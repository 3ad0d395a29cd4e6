using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid;

/// <summary>
/// The items of a task or actor call made as a stream (Ray's <c>ObjectRefGenerator</c>, <c>num_returns="streaming"</c>):
/// refs to the items in the order the producer yields them, each arriving as soon as it is produced, before the
/// producer finishes. Each item is an object like any other: small inline, large in the object store, owned by the
/// caller and freed once its refs are gone (disposed or collected), independently of the other items.
/// </summary>
/// <remarks>
/// <para>Enumerate it once (<c>await foreach</c>) or call <see cref="NextAsync"/>. When the producer throws, its exception
/// is the next item (getting that ref throws it) and the stream ends after it; so it does when the producer is lost:
/// <see cref="NodeDiedException"/> once a task has no retries left (with retries the task runs again and the items
/// this stream already delivered are skipped, never repeated), <see cref="ActorDiedException"/> for an actor that died.</para>
/// <para>Disposing the stream (or leaving <c>await foreach</c> early) cancels the producer: the cancellation token its
/// sequence received (an async iterator's <c>[EnumeratorCancellation]</c> parameter) is cancelled and its enumerator
/// disposed, so its <c>finally</c> blocks run; items produced and never delivered are freed.</para>
/// <para>With a backpressure limit (<see cref="TaskOptions.GeneratorBackpressure"/>, <see cref="ActorCallOptions.GeneratorBackpressure"/>)
/// the producer pauses while that many items are produced and not yet delivered by this stream.</para>
/// </remarks>
public sealed class ObjectRefStream<T> : IAsyncEnumerable<ObjectRef<T>>, IAsyncDisposable
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(20);
    private readonly CoreWorker _worker;
    private readonly ObjectRef<int> _task;
    private readonly Task<ObjectPayload> _outcome;
    private readonly IStreamChannelGrain _channel;
    private readonly bool _acknowledge;
    private readonly Queue<StreamItem> _pending = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _next;
    private StreamEnd? _end;
    private bool _errorDelivered;
    private bool _enumerated;
    private bool _disposed;

    internal ObjectRefStream(CoreWorker worker, ObjectRef<int> task, int backpressure)
    {
        _worker = worker;
        _task = task;
        _outcome = worker.Owned.TryGet(task.Id, out var outcome) ? outcome : Task.FromResult(ObjectPayload.Failed(
            worker.Serializer.ToRemoteError(new ObjectLostException($"Stream task {task.Id} is not known to its owner."), null)));
        _channel = worker.Grains.GetGrain<IStreamChannelGrain>(task.Id.ToString());
        _acknowledge = backpressure > 0;
    }

    /// <summary>The id of the task or call producing the stream (its items' ids derive from it).</summary>
    public ObjectId TaskId => _task.Id;

    /// <summary>
    /// The task's own result: the number of items produced, once the producer finished (its error if it failed). Keeps
    /// nothing of the items alive.
    /// </summary>
    public ObjectRef<int> Completion => _task;

    /// <summary>
    /// The next item's ref, waiting until the producer yields it; null once the stream ended. An item whose ref throws
    /// when read (the producer's failure) is the last one.
    /// </summary>
    public async ValueTask<ObjectRef<T>?> NextAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (true)
            {
                if (_pending.TryDequeue(out var item)) return Deliver(item);
                if (_end is { } end && _next >= end.Count)
                {
                    if (end.Error is not { } error || _errorDelivered) return null;
                    _errorDelivered = true;
                    return Deliver(new StreamItem(Math.Max(end.Count, _next), error));
                }
                var take = _channel.Take(_next, LongPoll);
                if (await Task.WhenAny(take, _outcome).WaitAsync(cancellationToken).ConfigureAwait(false) == take)
                {
                    try
                    {
                        Accept(await take.ConfigureAwait(false));
                    }
                    catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
                    {
                        // The channel's node died: the next take reaches a new one, which the producer (run again, if
                        // its task is retried) reports to. Pause a little unless the task has ended.
                        await Task.WhenAny(_outcome, Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken)).ConfigureAwait(false);
                    }
                    continue;
                }
                // The task ended while nothing was waiting in the channel: take what is left; without an end there (the
                // producer was lost, or failed before it started) the task's outcome ends the stream.
                var payload = await _outcome.ConfigureAwait(false);
                try
                {
                    Accept(await _channel.Take(_next, TimeSpan.Zero).WaitAsync(LongPoll, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (FailureClassifier.IsNodeFailure(e) || e is TimeoutException) { }
                _end ??= new StreamEnd(_next + _pending.Count, payload.Kind == PayloadKind.Error ? payload : await LostAsync(_next + _pending.Count).ConfigureAwait(false));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The task succeeded but its channel has no end: an error when the task produced more items than the stream
    /// has (they were lost with the channel's node after the producer finished), else none.
    /// </summary>
    private async Task<ObjectPayload?> LostAsync(int have)
    {
        int count;
        try
        {
            count = await _worker.GetAsync<int>(_task, LongPoll, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return null;
        }
        return count <= have ? null : ObjectPayload.Failed(_worker.Serializer.ToRemoteError(new ObjectLostException(
            $"Items {have} to {count - 1} of stream {_task.Id} were lost with the node of its channel."), null));
    }

    private void Accept(StreamBatch batch)
    {
        foreach (var item in batch.Items)
            if (item.Index == _next + _pending.Count) _pending.Enqueue(item);
        if (batch.End is { } end) _end ??= end;
    }

    private ObjectRef<T> Deliver(StreamItem item)
    {
        _next = item.Index + 1;
        // Under backpressure every item handed out is acknowledged at once: the producer may go on while the consumer
        // works on it, not only when the consumer next asks (waiting for that take had stalled a producer whose last
        // report carried one item).
        if (_acknowledge) _ = _channel.Acknowledge(_next);
        return Own(item);
    }

    private ObjectRef<T> Own(StreamItem item)
    {
        var id = ObjectId.ForReturn(_task.Id, item.Index + 1);
        _worker.Owned.AddReady(id, item.Payload);
        return new ObjectRef<T>(id, _worker.OwnerAddress, _worker);
    }

    /// <summary>Enumerates the items (once per stream); leaving the loop early disposes the stream, cancelling the producer.</summary>
    public IAsyncEnumerator<ObjectRef<T>> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_enumerated) throw new InvalidOperationException("A stream is enumerated once: its items are taken as they are delivered.");
        _enumerated = true;
        return Enumerate(cancellationToken);
    }

    private async IAsyncEnumerator<ObjectRef<T>> Enumerate(CancellationToken cancellationToken)
    {
        try
        {
            while (await NextAsync(cancellationToken).ConfigureAwait(false) is { } item) yield return item;
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the stream: a producer still running is cancelled (see the remarks), items it produced that were not
    /// delivered are freed, and the task's result ref is released. Items already delivered stay valid. Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            // Also when the stream finished: the channel then goes away.
            var left = new List<StreamItem>(_pending);
            _pending.Clear();
            try
            {
                left.AddRange(await _channel.Cancel().WaitAsync(LongPoll).ConfigureAwait(false));
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e) || e is TimeoutException) { }
            // Owned for an instant and dropped: a stored item's copies are freed like any object's.
            foreach (var item in left.DistinctBy(i => i.Index))
                if (item.Index >= _next) Own(item).Dispose();
            _task.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
