using Grid.Silo.Tasks;
using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>A caller's burst of calls in one message; each call runs as a single <see cref="Call"/> would.</summary>
internal sealed partial class ActorHostGrain
{
    public IAsyncEnumerable<TaskOutcome> CallMany(ActorCallSpec[] calls)
    {
        var running = new Task<ObjectPayload>[calls.Length];
        for (var i = 0; i < calls.Length; i++) running[i] = Call(calls[i]);
        return OutcomeStream.InCompletionOrder(running, (i, e) => CallFailed(calls[i], e));
    }

    /// <summary>What the caller makes of a call that threw instead of answering (as it does for a single call).</summary>
    private ObjectPayload CallFailed(ActorCallSpec call, Exception e)
    {
        var error = e is ActorDiedException or UnknownFunctionException or GridSerializationException ? e : new ActorDiedException(
            $"Actor {call.ActorId} could not run {call.Method.DisplayName}: {e.GetType().Name}: {e.Message}", e);
        return ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(error, $"actor {call.ActorId}"));
    }
}
