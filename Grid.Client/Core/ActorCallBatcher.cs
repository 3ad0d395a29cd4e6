using System.Collections.Concurrent;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// Coalesces a burst of this process's calls to one actor into one message
/// (<see cref="IActorHostGrain.CallMany"/>), as <see cref="TaskBatcher"/> does for tasks. Order is
/// untouched: calls carry their sequence numbers, and a burst goes out in submission order.
/// </summary>
internal sealed class ActorCallBatcher(CoreWorker worker, ILogger logger)
{
    private readonly ConcurrentDictionary<ActorId, BurstQueue<PendingCall>> _queues = new();

    public void Enqueue(ActorRef actor, ActorCallSpec spec, TaskCompletionSource<ObjectPayload> result)
    {
        if (!_queues.TryGetValue(actor.Id, out var queue))
            queue = _queues.GetOrAdd(actor.Id, id =>
            {
                var host = worker.HostOf(id);
                return new BurstQueue<PendingCall>((batch, release) => _ = SendAsync(actor, host, batch, release));
            });
        queue.Enqueue(new PendingCall(spec, result));
    }

    /// <summary>Forgets a killed actor's queue.</summary>
    public void Forget(ActorId actor) => _queues.TryRemove(actor, out _);

    private async Task SendAsync(ActorRef actor, IActorHostGrain host, List<PendingCall> batch, Action release)
    {
        try
        {
            // Calls made right after creating or looking up an actor wait here, in batches, until it is placed.
            if (!actor.Ready.IsCompleted) await actor.Ready.ConfigureAwait(false);
            if (batch.Count == 1)
            {
                // A lone call (a synchronous caller) goes as a plain call: a stream costs more than it saves for one.
                var payload = await host.Call(batch[0].Spec).ConfigureAwait(false);
                release();
                ResultDelivery.CompleteLone(batch[0].Result, payload);
                return;
            }
            var calls = new ActorCallSpec[batch.Count];
            for (var i = 0; i < calls.Length; i++) calls[i] = batch[i].Spec;
            // The first answer carries what finished by then (usually the whole burst); a slow call's result follows later.
            var chunk = await host.CallMany(calls).ConfigureAwait(false);
            while (true)
            {
                foreach (var outcome in chunk.Outcomes) batch[outcome.Index].Result.TrySetResult(outcome.Payload);
                if (chunk.Next == 0) break;
                chunk = await host.NextOutcomes(chunk.Next).ConfigureAwait(false);
            }
            release();
            foreach (var p in batch)
                if (!p.Result.Task.IsCompleted)
                    p.Result.TrySetResult(worker.ActorCallFailed(actor, p.Spec, new InvalidOperationException("The actor's host ended a batch without this call's result; this is a Grid bug.")));
        }
        catch (Exception e)
        {
            release();
            logger.LogDebug(e, "A batch of {Count} calls to actor {Actor} failed", batch.Count, actor.Id);
            foreach (var p in batch)
                if (!p.Result.Task.IsCompleted) p.Result.TrySetResult(worker.ActorCallFailed(actor, p.Spec, e));
        }
    }

    private readonly record struct PendingCall(ActorCallSpec Spec, TaskCompletionSource<ObjectPayload> Result);
}
