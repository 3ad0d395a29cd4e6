using Grid.Core;
using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>A caller's burst of calls in one message; each call runs as a single <see cref="Call"/> would.</summary>
internal sealed partial class ActorHostGrain
{
    // Batches whose outcomes are still being handed out, by cursor (grain scheduler only). A batch leaves once its last
    // outcome is sent; one whose caller stopped asking (the caller died) stays until the actor does.
    private readonly Dictionary<long, BatchOutcomes> _batches = [];
    private long _lastBatch;

    public Task<OutcomeChunk> CallMany(ActorCallSpec[] calls)
    {
        var running = new Task<ObjectPayload>[calls.Length];
        for (var i = 0; i < calls.Length; i++) running[i] = Call(calls[i]);
        return NextChunkAsync(new BatchOutcomes(running, (i, e) => CallFailed(calls[i], e)), cursor: 0);
    }

    public Task<OutcomeChunk> NextOutcomes(long cursor) =>
        _batches.TryGetValue(cursor, out var outcomes) ? NextChunkAsync(outcomes, cursor) : Task.FromResult(new OutcomeChunk([], 0));

    private async Task<OutcomeChunk> NextChunkAsync(BatchOutcomes outcomes, long cursor)
    {
        var (ready, last) = await outcomes.NextAsync();
        if (last)
        {
            if (cursor != 0) _batches.Remove(cursor);
            return new OutcomeChunk(ready, 0);
        }
        if (cursor == 0) _batches[cursor = ++_lastBatch] = outcomes;
        return new OutcomeChunk(ready, cursor);
    }

    /// <summary>What the caller makes of a call that threw instead of answering (as it does for a single call).</summary>
    private ObjectPayload CallFailed(ActorCallSpec call, Exception e)
    {
        var error = FailureClassifier.ActorCallError(call.ActorId, call.Method.DisplayName, e);
        return ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(error, $"actor {call.ActorId}"));
    }
}
