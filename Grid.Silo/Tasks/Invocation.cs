using Grid.Functions;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>Runs user code under a GridContext and turns its outcome into a payload.</summary>
internal static class Invocation
{
    /// <param name="owner">The owner of the result (the submitter): it holds the refs the result contains.</param>
    public static async Task<ObjectPayload> RunAsync(Core.CoreWorker worker, GridContext context, RemoteMethod method,
        object? target, object?[] args, ObjectId resultId, GrainId owner, FailureOrigin origin)
    {
        GridContext.Set(context);
        try
        {
            var result = await method.InvokeAsync(target, args).ConfigureAwait(false);
            // Zero-copy arguments (views of the object store) release their pin when collected; keep them reachable
            // until the user's code is done, even if it only holds a span taken from one.
            GC.KeepAlive(args);
            // Refs the arguments carried are borrowed here now: the owners must know before the reply lets the
            // submitter release them (no-op unless a ref was deserialized).
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
            GridContext.Set(null);
        }
    }
}
