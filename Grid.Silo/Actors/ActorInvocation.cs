using Grid.Silo.Tasks;
using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// Runs one actor method and stores its result for the caller, as <see cref="Invocation"/> does for tasks, less the
/// per-call GridContext: the actor's execution context carries it already. A ValueTask, so a method that completes
/// at once costs no task.
/// </summary>
internal static class ActorInvocation
{
    public static async ValueTask<ObjectPayload> RunAsync(Core.CoreWorker worker, ReadyCall call, object? instance, NodeId node)
    {
        var spec = call.Spec;
        try
        {
            var result = await call.Method.InvokeAsync(instance, call.Args).ConfigureAwait(false);
            GC.KeepAlive(call.Args); // zero-copy arguments stay pinned until the user's code is done
            // Refs the arguments carried are borrowed here now: the owners must know before the reply lets the caller release them.
            await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
            return await worker.StoreValueAsync(spec.ResultId, result, call.Method.ResultType, owner: spec.Owner).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
            return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, new FailureOrigin(spec.ActorId, spec.Method.DisplayName, node).ToString()));
        }
    }
}
