using System.Collections.Concurrent;
using Grid.Wire;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

/// <summary>
/// Waiting for an actor to be placed, without polling: one subscription per GCS connection to the
/// "placed" channel wakes local waiters by actor id, and each woken waiter re-reads the record.
/// No wakeup is lost: a waiter registers its signal before it reads, and the update script writes
/// the record before it publishes.
/// </summary>
internal sealed partial class RedisGcs
{
    private readonly ConcurrentDictionary<ActorId, TaskCompletionSource> _placementSignals = new();

    public async Task<ActorInfo> WaitActorPlacedAsync(ActorId id, CancellationToken cancellationToken)
    {
        await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var signal = _placementSignals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var actor = await GetActorAsync(id).ConfigureAwait(false)
                ?? throw new ActorNotFoundException($"Actor {id} is not registered in the GCS.");
            if (ActorFence.IsSettled(actor.State)) return actor;
            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubscribePlacementsAsync(ConnectionMultiplexer connection)
    {
        // Completes once Redis confirmed the subscription, so reads after it cannot miss a publish.
        await connection.GetSubscriber().SubscribeAsync(_keys.ActorPlaced, (_, message) =>
        {
            if (_placementSignals.TryRemove(new ActorId(message.ToString()), out var signal)) signal.TrySetResult();
        }).ConfigureAwait(false);
    }

    private void WakeAllPlacementWaiters()
    {
        foreach (var id in _placementSignals.Keys)
            if (_placementSignals.TryRemove(id, out var signal)) signal.TrySetResult();
    }
}
