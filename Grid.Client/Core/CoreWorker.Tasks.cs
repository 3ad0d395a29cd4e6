using Grid.Functions;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

public sealed partial class CoreWorker
{
    /// <summary>
    /// Submits a task: checks and serializes its arguments now (so bad input fails here, at the
    /// caller), registers the result as owned, and dispatches in the background.
    /// </summary>
    public ObjectRef<T> SubmitTask<T>(JobId job, FunctionDescriptor function, TaskOptions options, TaskArgument[] args)
    {
        var method = FunctionCatalog.Resolve(function);
        if (!method.IsStaticFunction)
            throw new UnknownFunctionException($"{function.DisplayName} is an instance method; run it through an actor, or make it static.");
        var spec = new TaskSpec
        {
            TaskId = ObjectId.New(),
            Job = job,
            Function = function,
            Args = BuildArgs(function, method.ParameterTypes, args),
            Resources = options.ToResourceSet(),
            Name = options.Name,
            Owner = OwnerAddress,
        };
        var result = _owned.AddPending(spec.TaskId);
        TasksSubmitted.Add(1);
        _ = RunTaskAsync(spec, options.MaxRetries, result);
        return new ObjectRef<T>(spec.TaskId, OwnerAddress, this);
    }

    internal TaskArg[] BuildArgs(FunctionDescriptor function, Type[] parameterTypes, TaskArgument[] args)
    {
        if (args.Length != parameterTypes.Length)
            throw new UnknownFunctionException($"{function.DisplayName} takes {parameterTypes.Length} arguments, but {args.Length} were passed.");
        var wire = new TaskArg[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.Reference is { } r)
            {
                wire[i] = TaskArg.Reference(r.ToData());
                continue;
            }
            try
            {
                wire[i] = TaskArg.Value(Serializer.Serialize(a.Value, parameterTypes[i]));
            }
            catch (GridSerializationException e)
            {
                throw new GridSerializationException($"Argument {i + 1} of {function.DisplayName} cannot be serialized: {e.Message}", e);
            }
        }
        return wire;
    }

    private async Task RunTaskAsync(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result)
    {
        try
        {
            var (resolved, preferred, failure) = await ResolveOwnedDependenciesAsync(spec).ConfigureAwait(false);
            if (failure is not null)
            {
                result.TrySetResult(failure);
                return;
            }
            List<NodeId>? failed = null;
            for (var attempt = 0; ; attempt++)
            {
                var node = preferred ?? Selector.Pick(failed);
                try
                {
                    var attemptSpec = attempt == 0 ? resolved : CopyWithAttempt(resolved, attempt);
                    var payload = await Grains.GetGrain<IRayletGrain>(node.Value).SubmitTask(attemptSpec).ConfigureAwait(false);
                    result.TrySetResult(payload);
                    return;
                }
                catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
                {
                    if (attempt >= maxRetries)
                    {
                        result.TrySetResult(ObjectPayload.Failed(Serializer.ToRemoteError(new NodeDiedException(
                            $"Task {spec.DisplayName} was lost with its node {node} and its {maxRetries} retries are used up; raise TaskOptions.MaxRetries to retry more."), null)));
                        return;
                    }
                    TaskRetries.Add(1);
                    _logger.LogWarning("Task {Task} failed on node {Node} ({Error}); retrying elsewhere ({Attempt}/{Max})", spec.DisplayName, node, e.Message, attempt + 1, maxRetries);
                    (failed ??= []).Add(node);
                    preferred = null;
                    await Selector.RefreshAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            result.TrySetResult(ObjectPayload.Failed(Serializer.ToRemoteError(e, $"submitting task {spec.DisplayName}")));
        }
    }

    private static TaskSpec CopyWithAttempt(TaskSpec s, int attempt) => new()
    {
        TaskId = s.TaskId, Job = s.Job, Function = s.Function, Args = s.Args, Resources = s.Resources,
        Name = s.Name, Owner = s.Owner, Attempt = attempt,
    };

    /// <summary>
    /// Ray's local dependency resolver: waits for arguments this process owns, inlines the small ones
    /// (sparing the executing node a round trip), fails the task at once if one of them failed, and
    /// prefers the node that holds the largest stored argument.
    /// </summary>
    private async ValueTask<(TaskSpec Spec, NodeId? Preferred, ObjectPayload? Failure)> ResolveOwnedDependenciesAsync(TaskSpec spec)
    {
        TaskArg[]? rewritten = null;
        NodeId? preferred = null;
        long largest = 0;
        for (var i = 0; i < spec.Args.Length; i++)
        {
            if (spec.Args[i].Ref is not { } r || r.Owner != OwnerAddress) continue;
            var payload = await GetOwnedPayload(r.Id).ConfigureAwait(false);
            switch (payload.Kind)
            {
                case PayloadKind.Error:
                    return (spec, null, payload);
                case PayloadKind.Inline:
                    rewritten ??= (TaskArg[])spec.Args.Clone();
                    rewritten[i] = TaskArg.Value(payload.Data!);
                    break;
                case PayloadKind.Stored when payload.Size > largest:
                    largest = payload.Size;
                    preferred = payload.Node;
                    break;
            }
        }
        if (rewritten is null) return (spec, preferred, null);
        return (new TaskSpec
        {
            TaskId = spec.TaskId, Job = spec.Job, Function = spec.Function, Args = rewritten, Resources = spec.Resources,
            Name = spec.Name, Owner = spec.Owner,
        }, preferred, null);
    }
}
