using Grid.Functions;
using Grid.Wire;

namespace Grid.Silo.Execution;

/// <summary>
/// Runs user code — a task's function or an actor's method — and turns its outcome into the payload its caller
/// gets: the stored result, or the error it raised, said with where it ran. Tasks and actor calls go through this
/// one path, so both keep their arguments alive, register the refs they borrowed and report errors alike.
/// </summary>
internal static class UserCode
{
    /// <param name="target">The actor's instance; null for a task's (static) function.</param>
    /// <param name="owner">The owner of the result (the submitter or caller): it holds the refs the result contains.</param>
    /// <param name="context">
    /// A task's GridContext, set for the run and cleared after it. Null for an actor's method: the actor's execution
    /// context carries its GridContext already.
    /// </param>
    /// <returns>A ValueTask, so that a method that completes at once (most actor calls) costs no task.</returns>
    public static async ValueTask<ObjectPayload> RunAsync(Core.CoreWorker worker, RemoteMethod method, object? target, object?[] args,
        ObjectId resultId, GrainId owner, FailureOrigin origin, GridContext? context = null)
    {
        if (context is not null) GridContext.Set(context);
        try
        {
            var result = await method.InvokeAsync(target, args).ConfigureAwait(false);
            // Zero-copy arguments (views of the object store) release their pin when collected; keep them reachable
            // until the user's code is done, even if it only holds a span taken from one.
            GC.KeepAlive(args);
            // Refs the arguments carried are borrowed here now: the owners must know before the reply lets the
            // caller release them (no-op unless a ref was deserialized).
            await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
            return await worker.StoreValueAsync(resultId, result, method.ResultType, owner: owner).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
            return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin.ToString()));
        }
        finally
        {
            if (context is not null) GridContext.Set(null);
        }
    }
}
