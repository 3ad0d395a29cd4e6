using System.Collections.Concurrent;
using System.Reflection;
using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Execution;

/// <summary>
/// Runs the producing side of a stream (see <see cref="StreamSpec"/>): iterates the sequence the user's code returned,
/// stores each item as an object owned by the caller, reports it to the stream's channel and waits there while the
/// consumer is <see cref="StreamSpec.Backpressure"/> items behind. The consumer dropping the stream cancels the token
/// the sequence was given and disposes its enumerator. An exception the sequence throws ends the stream with it, as
/// one more item; streams are not retried on exceptions. Returns the task's own result: the item count, or that error.
/// </summary>
internal static class StreamProducer
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(20);

    public static async ValueTask<ObjectPayload> RunAsync(CoreWorker worker, object? sequence, Type sequenceType, ObjectId taskId,
        GrainId owner, StreamSpec stream, FailureOrigin origin, Func<bool>? abandoned)
    {
        var channel = worker.Grains.GetGrain<IStreamChannelGrain>(taskId.ToString());
        using var cancel = new CancellationTokenSource();
        using var done = new CancellationTokenSource();
        var watcher = WatchAsync(channel, cancel, done.Token);
        var count = 0;
        ObjectPayload? error = null;
        try
        {
            var (itemType, open) = Enumeration(sequenceType);
            if (sequence is null) throw new InvalidOperationException($"{origin} returned null instead of a sequence to stream.");
            var skip = await channel.Open().ConfigureAwait(false); // a run after a node death skips what the consumer has
            var items = open(sequence, cancel.Token);
            try
            {
                while (true)
                {
                    try
                    {
                        if (!await items.MoveNextAsync().ConfigureAwait(false)) break;
                    }
                    catch (OperationCanceledException) when (cancel.IsCancellationRequested) { break; }
                    if (cancel.IsCancellationRequested || abandoned?.Invoke() == true) break;
                    var index = count++;
                    if (index < skip) continue;
                    var payload = await worker.StoreValueAsync(ObjectId.ForReturn(taskId, index + 1), items.Current, itemType, owner: owner).ConfigureAwait(false);
                    StreamAck ack;
                    do ack = await channel.Report(new StreamItem(index, payload), stream.Backpressure, LongPoll).ConfigureAwait(false);
                    while (ack == StreamAck.Full);
                    if (ack == StreamAck.Cancelled)
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                        break;
                    }
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
        await channel.Finish(new StreamEnd(count, error)).ConfigureAwait(false);
        await watcher.ConfigureAwait(false);
        return error ?? await worker.StoreValueAsync(taskId, count, typeof(int), owner: owner).ConfigureAwait(false);
    }

    /// <summary>Cancels <paramref name="cancel"/> once the consumer drops the stream, polling until the producer is <paramref name="done"/>.</summary>
    private static async Task WatchAsync(IStreamChannelGrain channel, CancellationTokenSource cancel, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            try
            {
                if (await channel.WhenCancelled(LongPoll).ConfigureAwait(false))
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                    return;
                }
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
