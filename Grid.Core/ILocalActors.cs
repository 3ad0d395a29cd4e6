using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// The actors hosted in this core worker's process, reached by a method call instead of a grain message (as
/// <see cref="ILocalRaylet"/> is for tasks). A call through the host grain costs a message, a turn on the grain's
/// scheduler to queue the call, and another to send the reply after the method ran on a pool thread: three hops
/// around a method that may take a microsecond. A local call is queued on the actor's run loop by the calling
/// thread, and its result is published by the thread that ran it.
/// </summary>
internal interface ILocalActors
{
    /// <summary>
    /// Starts <paramref name="call"/> when its actor lives in this process, is built and alive, and the call may
    /// start now (every earlier call of its caller has started; its arguments are values). Its outcome then goes to
    /// <paramref name="result"/> through <see cref="LocalResults.Publish"/>. False when the call must take the
    /// usual way (a message to the host grain), which handles every other case.
    /// </summary>
    bool TryStart(ActorCallSpec call, TaskCompletionSource<ObjectPayload> result);
}

/// <summary>How a call run in this process hands its outcome to the caller's pending result.</summary>
internal static class LocalResults
{
    /// <param name="lone">
    /// True when the publishing thread has nothing else to do (it ran the call and no other call waits for it):
    /// the caller's code may then resume on it, as after a lone call's response (see <see cref="ResultDelivery"/>).
    /// </param>
    public static void Publish(TaskCompletionSource<ObjectPayload> result, ObjectPayload payload, bool lone)
    {
        if (lone) ResultDelivery.CompleteLone(result, payload);
        else result.TrySetResult(payload);
    }
}
