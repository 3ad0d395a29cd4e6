using Grid.Functions;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>
/// Runs admitted tasks (Ray's worker). User code runs on the thread pool, never on the grain's
/// scheduler, so a blocking task cannot stall the silo; results go back inline or into the store.
/// </summary>
[StatelessWorker, Reentrant]
internal sealed class TaskExecutorGrain(NodeRuntime node, Raylet.Raylet raylet) : Grain, ITaskExecutorGrain
{
    public async Task<ObjectPayload> Execute(TaskSpec spec)
    {
        var worker = node.Worker;
        var origin = $"task {spec.DisplayName} on node {node.NodeId}";
        try
        {
            var method = FunctionCatalog.Resolve(spec.Function);
            var args = await ArgumentResolver.MaterializeAsync(worker, spec.Args, method.ParameterTypes, CancellationToken.None);
            var lease = raylet.LeaseOf(spec.TaskId);
            var context = new GridContext(node.ClientFor(spec.Job), node.NodeId, spec.Job, spec.TaskId, null,
                lease?.GpuIds ?? [], lease is null ? null : lease.EnterBlocked);
            return await Task.Run(() => Invocation.RunAsync(worker, context, method, null, args, spec.TaskId, origin));
        }
        catch (Exception e)
        {
            return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin));
        }
    }
}

/// <summary>Runs user code under a GridContext and turns its outcome into a payload.</summary>
internal static class Invocation
{
    public static async Task<ObjectPayload> RunAsync(Core.CoreWorker worker, GridContext context, RemoteMethod method,
        object? target, object?[] args, ObjectId resultId, string origin)
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
            return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin));
        }
        finally
        {
            GridContext.Set(null);
        }
    }
}
