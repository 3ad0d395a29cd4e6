using System.Reflection;
using Grid.Functions;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Core;

/// <summary>What the submitters share on the worker: argument building, raylet references, the view refresh.</summary>
internal sealed partial class CoreWorker
{
    /// <summary>The normal-task submitter (see <see cref="NormalTaskSubmitter"/>).</summary>
    internal NormalTaskSubmitter Tasks { get; }

    /// <summary>Submits a task (see <see cref="NormalTaskSubmitter.Submit{T}"/>).</summary>
    public ObjectRef<T> SubmitTask<T>(JobId job, FunctionDescriptor function, TaskOptions options, TaskArgument[] args, StreamSpec? stream = null) =>
        Tasks.Submit<T>(job, function, options, args, stream);

    /// <summary>Submits a task whose value is split into <paramref name="numReturns"/> returns (0: none, one return); its refs are <see cref="ReturnRef{T}"/>(id, i) (see <see cref="NormalTaskSubmitter.Submit(JobId, FunctionDescriptor, TaskOptions, TaskArgument[], int, StreamSpec)"/>).</summary>
    public ObjectId SubmitTask(JobId job, FunctionDescriptor function, TaskOptions options, TaskArgument[] args, int numReturns) =>
        Tasks.Submit(job, function, options, args, numReturns);

    /// <summary>A ref to return <paramref name="index"/> of a task this process submitted.</summary>
    public ObjectRef<T> ReturnRef<T>(ObjectId task, int index) => new(ObjectId.ForReturn(task, index), OwnerAddress, this);

    /// <summary>Called by the node this worker belongs to once its raylet runs.</summary>
    public void AttachLocalRaylet(ILocalRaylet raylet)
    {
        if (LocalNode is null) throw new InvalidOperationException("Only a node's own core worker has a local raylet.");
        Tasks.AttachLocalRaylet(raylet);
    }

    /// <summary>Whether no argument is a ref this process owns (those are resolved before sending, so the call cannot ride in a batch).</summary>
    internal bool OwnsNoRefIn(TaskArg[] args)
    {
        foreach (var a in args)
            if (a.Ref is { } r && r.Owner == OwnerAddress) return false;
        return true;
    }

    /// <summary>Sends of one attempt that never reached a node (<see cref="FailureClassifier.WasNotDelivered"/>) before it counts as lost.</summary>
    internal const int MaxResends = 6;

    /// <param name="nested">Collects refs nested inside argument values, when the caller wants them.</param>
    internal TaskArg[] BuildArgs(FunctionDescriptor function, Type[] parameterTypes, TaskArgument[] args, List<ObjectRef>? nested = null)
    {
        if (args.Length != parameterTypes.Length)
            throw new UnknownFunctionException($"{function.DisplayName} takes {parameterTypes.Length} arguments, but {args.Length} were passed.");
        if (args.Length == 0) return [];
        var wire = new TaskArg[args.Length];
        List<int>? large = null; // put into the store once every argument serialized (a later one may fail)
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            // A CancellationToken parameter travels as nothing: the node gives the task's own token (see TaskCancellation).
            if (parameterTypes[i] == typeof(CancellationToken))
            {
                wire[i] = TaskArg.Value([]);
                continue;
            }
            if (a.Reference is { } r)
            {
                wire[i] = TaskArg.Reference(r.ToData());
                continue;
            }
            if (IsLargePrimitiveArray(a.Value, out _))
            {
                (large ??= []).Add(i);
                continue;
            }
            byte[] bytes;
            try
            {
                if (nested is null) bytes = Serializer.Serialize(a.Value, parameterTypes[i]);
                else
                {
                    using var collecting = Serialization.NestedRefCollector.Begin(nested);
                    bytes = Serializer.Serialize(a.Value, parameterTypes[i]);
                }
            }
            catch (GridSerializationException e)
            {
                throw new GridSerializationException($"Argument {i + 1} of {function.DisplayName} cannot be serialized: {e.Message}", e);
            }
            if (bytes.Length <= InlineThreshold) wire[i] = TaskArg.Value(bytes);
            else
            {
                (large ??= []).Add(i);
                wire[i] = TaskArg.Value(bytes); // replaced by its ref below
            }
        }
        if (large is not null)
            foreach (var i in large)
                wire[i] = PutLargeArgument(args[i].Value, parameterTypes[i], wire[i]?.Inline);
        return wire;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<NodeId, IRayletGrain> _raylets = new();

    /// <summary>
    /// A node's raylet grain reference, made once per node: GetGrain with a string key resolves the
    /// interface's grain type each time (type names, a lookup, ~600 B), more than a tiny task's submission.
    /// </summary>
    public IRayletGrain RayletOf(NodeId node) =>
        _raylets.TryGetValue(node, out var raylet) ? raylet : _raylets.GetOrAdd(node, n => Grains.GetGrain<IRayletGrain>(n.Value));

    /// <summary>The actor-task submitter (see <see cref="ActorTaskSubmitter"/>).</summary>
    internal ActorTaskSubmitter Actors { get; }

    /// <summary>Submits an actor method call (see <see cref="ActorTaskSubmitter.Call{T}"/>).</summary>
    public ObjectRef<T> CallActor<T>(JobId job, ActorRef actor, MethodInfo method, TaskArgument[] args, RetryPolicy? retry = null, string? concurrencyGroup = null, StreamSpec? stream = null) =>
        Actors.Call<T>(job, actor, method, args, retry, concurrencyGroup, stream);

    /// <summary>Called by the node this worker belongs to: the actors it hosts are then called without a message.</summary>
    public void AttachLocalActors(ILocalActors actors)
    {
        if (LocalNode is null) throw new InvalidOperationException("Only a node's own core worker hosts actors.");
        Actors.AttachLocalActors(actors);
    }

    /// <summary>A node left the cluster: calls waiting on actors that lived there end now and recover.</summary>
    public void ActorNodeLeft(NodeId gone) => Actors.NodeLeft(gone);

    /// <summary>A fresh look at the live nodes, when it can be had: while a node dies the GCS may be out of reach too.</summary>
    internal async Task RefreshViewAsync()
    {
        try
        {
            await Selector.RefreshAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
        {
            // The next pick uses the view as it was, less the nodes that failed this task.
        }
    }

    /// <summary>
    /// A client's refs nested in a task's arguments: wait for them and ship their payloads with the
    /// task. Ray would let the task ask the owner; a silo reaches a client only through its gateway,
    /// and such calls proved unreliable, so the client answers before it is asked.
    /// </summary>
    internal async ValueTask<BorrowedObject[]?> LendNestedAsync(List<ObjectRef> nested)
    {
        var lent = new List<BorrowedObject>();
        foreach (var r in nested.DistinctBy(r => r.Id))
            if (r.Owner == OwnerAddress) lent.Add(new BorrowedObject(r.Id, await GetOwnedPayload(r.Id).ConfigureAwait(false)));
        return lent.Count > 0 ? [.. lent] : null;
    }
}
