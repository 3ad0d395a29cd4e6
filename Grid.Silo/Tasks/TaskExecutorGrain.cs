using Grid.Functions;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>The executor as a grain, for callers outside the raylet; the raylet calls <see cref="TaskExecutor"/> directly.</summary>
[StatelessWorker, Reentrant]
internal sealed class TaskExecutorGrain(TaskExecutor executor) : Grain, ITaskExecutorGrain
{
    public Task<ObjectPayload> Execute(TaskSpec spec) => executor.ExecuteAsync(spec);
}

/// <summary>Runs user code under a GridContext and turns its outcome into a payload.</summary>
internal static class Invocation
{
    public static async Task<ObjectPayload> RunAsync(Core.CoreWorker worker, GridContext context, RemoteMethod method,
        object? target, object?[] args, ObjectId resultId, FailureOrigin origin)
    {
        GridContext.Set(context);
        try
        {
            var result = await method.InvokeAsync(target, args).ConfigureAwait(false);
            // Zero-copy arguments (views of the object store) release their pin when collected; keep them reachable
            // until the user's code is done, even if it only holds a span taken from one.
            GC.KeepAlive(args);
            return await worker.StoreValueAsync(resultId, result, method.ResultType).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin.ToString()));
        }
        finally
        {
            GridContext.Set(null);
        }
    }
}
