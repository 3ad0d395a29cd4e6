using Grid.Core.Diagnostics;
using System.Collections.Concurrent;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// Coalesces a burst of this process's calls to one actor into one message
/// (<see cref="IActorHostGrain.CallMany"/>), as <see cref="TaskBatcher"/> does for tasks. Order is
/// untouched: calls carry their sequence numbers, and a burst goes out in submission order. Answers go
/// back through the actor's <see cref="ActorChannel"/>, which keeps a call whose incarnation died for recovery;
/// a send still waiting when the actor's node leaves the cluster ends at once (the channel's lost token).
/// </summary>
internal sealed class ActorCallBatcher(CoreWorker worker, ILogger logger)
{
    private readonly ConcurrentDictionary<ActorId, BurstQueue<PendingCall>> _queues = new();

    public void Enqueue(ActorChannel channel, PendingCall call)
    {
        if (!_queues.TryGetValue(channel.Actor.Id, out var queue))
            queue = _queues.GetOrAdd(channel.Actor.Id, id =>
            {
                var host = worker.Actors.HostOf(id);
                return new BurstQueue<PendingCall>((batch, release) => _ = SendAsync(channel, host, batch, release));
            });
        queue.Enqueue(call);
    }

    /// <summary>Forgets a killed actor's queue.</summary>
    public void Forget(ActorId actor) => _queues.TryRemove(actor, out _);

    /// <summary>
    /// A call to the actor's host, ended when its node (once known) dies or when another node's death may have cut it in
    /// transit (<see cref="CoreWorker.CallNodeAsync{T}"/>), or when the channel loses the incarnation's node.
    /// </summary>
    private Task<T> Watched<T>(NodeId? node, Task<T> call, CancellationToken lost) =>
        (node is { } n ? worker.CallNodeAsync(n, call) : call).WaitAsync(lost);

    private async Task SendAsync(ActorChannel channel, IActorHostGrain host, List<PendingCall> batch, Action release)
    {
        var actor = channel.Actor;
        var lost = channel.LostToken;
        var sentAt = DateTimeOffset.UtcNow;
        try
        {
            // Calls made right after creating or looking up an actor wait here, in batches, until it is placed.
            if (!actor.Ready.IsCompleted) await actor.Ready.ConfigureAwait(false);
            var node = channel.Node;
            if (batch.Count == 1)
            {
                // A lone call (a synchronous caller) goes as a plain call: a stream costs more than it saves for one.
                var payload = await Watched(node, host.Call(batch[0].Spec), lost).ConfigureAwait(false);
                release();
                channel.Deliver(batch[0], payload, lone: true);
                return;
            }
            var calls = new ActorCallSpec[batch.Count];
            for (var i = 0; i < calls.Length; i++) calls[i] = batch[i].Spec;
            // The first answer carries what finished by then (usually the whole burst); a slow call's result follows later.
            var chunk = await Watched(node, host.CallMany(calls), lost).ConfigureAwait(false);
            while (true)
            {
                foreach (var outcome in chunk.Outcomes) channel.Deliver(batch[outcome.Index], outcome.Payload, lone: false);
                if (chunk.Next == 0) break;
                chunk = await Watched(node, host.NextOutcomes(chunk.Next), lost).ConfigureAwait(false);
            }
            release();
            // A batch whose host died and came back as a new incarnation ends without the calls it had not answered
            // (the new one does not know the batch): they were in flight at the death.
            foreach (var p in batch)
                if (!p.Call.Result.Task.IsCompleted) channel.Lose(p, inFlight: true, failedSendAt: null);
        }
        catch (CoreWorker.CallInterruptedException e)
        {
            // Cut in transit by another node's death (a client's gateway): the unanswered calls go again as they are.
            release();
            CoreLog.ActorBatchInterrupted(logger, e, batch.Count, actor.Id);
            foreach (var p in batch) channel.Interrupted(p);
        }
        catch (Exception e) when (e is OperationCanceledException || FailureClassifier.IsNodeFailure(e) || e is TimeoutException)
        {
            // The actor's node died (or left the cluster while this send waited): recovery decides what follows.
            release();
            CoreLog.ActorBatchLostWithNode(logger, e, batch.Count, actor.Id);
            // Whether the calls were in flight at the death, or went to a node already known dead (a send to it can
            // fail, or wait until the node is seen leaving), the channel tells by comparing the send's time with the
            // death the GCS recorded.
            foreach (var p in batch) channel.Lose(p, inFlight: false, failedSendAt: sentAt);
        }
        catch (Exception e)
        {
            release();
            CoreLog.ActorBatchFailed(logger, e, batch.Count, actor.Id);
            foreach (var p in batch)
                if (!p.Call.Result.Task.IsCompleted) channel.Deliver(p, worker.Actors.ActorCallFailed(actor, p.Spec, e), lone: false);
        }
    }
}
