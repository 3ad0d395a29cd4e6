using System.Collections.Concurrent;
using System.Reflection;
using Grid.Core.Diagnostics;
using Grid.Functions;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// Ray's actor-task submitter (<c>core_worker/task_submission/actor_task_submitter</c>): every actor method call this
/// process makes. This process's calls to an actor are numbered in submission order on its <see cref="ActorChannel"/> (which
/// also follows restarts and resends unanswered calls); a call to an actor hosted in this process whose turn it is runs
/// from the caller's thread (<see cref="ILocalActors"/>); ready calls ride in batches (<see cref="ActorCallBatcher"/>);
/// calls with owned or nested refs are resolved first (<see cref="DependencyResolver"/>) and sent alone.
/// </summary>
internal sealed class ActorTaskSubmitter(CoreWorker worker, ILogger logger)
{
    private ActorCallBatcher? _batcher;
    internal ActorCallBatcher Batcher => _batcher ?? Interlocked.CompareExchange(ref _batcher, new ActorCallBatcher(worker, logger), null) ?? _batcher;

    private readonly ConcurrentDictionary<ActorId, ActorChannel> _actorChannels = new();

    private ActorChannel ChannelOf(ActorRef actor) =>
        _actorChannels.TryGetValue(actor.Id, out var known) ? known : _actorChannels.GetOrAdd(actor.Id, _ => new ActorChannel(worker, actor, logger));

    /// <summary>
    /// Submits an actor method call. The sequence number is taken here, in submission order, so the
    /// actor runs this caller's calls in that order however the messages and arguments arrive.
    /// </summary>
    /// <param name="retry">What the call's options set about retrying exceptions (see <see cref="ActorCallSpec.Retry"/>).</param>
    /// <param name="concurrencyGroup">The group the call's options name (see <see cref="ActorCallSpec.ConcurrencyGroup"/>).</param>
    public ObjectRef<T> Call<T>(JobId job, ActorRef actor, MethodInfo method, TaskArgument[] args, RetryPolicy? retry = null, string? concurrencyGroup = null, StreamSpec? stream = null)
    {
        var descriptor = FunctionCatalog.Describe(method);
        var scratch = CoreWorker.NestedArgumentScratch();
        var wireArgs = worker.BuildArgs(descriptor, FunctionCatalog.Resolve(descriptor).ParameterTypes, args, scratch);
        var nested = CoreWorker.TakeNested(scratch);
        var sent = DependencyResolver.InlineReadyOwned(worker, wireArgs);
        var resultId = ObjectId.New();
        var entry = worker.Owned.AddPending(resultId);
        entry.MadeBy = actor.Id;
        var result = entry.Payload;
        // refcount: arguments live until the call ends. A ref argument replaced by its value travels as a copy, so the
        // actor never reads the ref: only the refs still sent as refs (and nested ones) are pinned.
        worker.PinArguments(result.Task, sent, nested);
        var channel = ChannelOf(actor);
        var scope = ExecutionScope.Current;
        // Numbered and queued in one step, under the channel's gate: threads calling the same actor at once (tasks
        // sharing this worker) then fill batches in sequence order, and the host runs each call on arrival instead
        // of holding it until an earlier number shows up. A restart renumbers unfinished calls under the same gate.
        lock (channel.Gate)
        {
            if (channel.DeadCause is { } cause)
            {
                result.TrySetResult(ObjectPayload.Failed(worker.Serializer.ToRemoteError(
                    new ActorDiedException($"Actor {actor.Id} is dead ({cause}); {descriptor.DisplayName} did not run."), $"actor {actor.Id}")));
                return new ObjectRef<T>(resultId, worker.OwnerAddress, worker);
            }
            var caller = CallerOf(channel, scope);
            var spec = new ActorCallSpec
            {
                ActorId = actor.Id, CallerId = caller.CallerId, Sequence = ++caller.Sequence, Incarnation = channel.Incarnation, Method = descriptor,
                Args = sent, ResultId = resultId, Owner = worker.OwnerAddress, Job = job, AnsweredThrough = caller.AnsweredThrough,
                RetiredCallers = channel.TakeRetired(), Retry = retry, ConcurrencyGroup = concurrencyGroup, Stream = stream,
            };
            // A call to an actor still being placed rides in a batch too: the batch waits for the actor (see ActorCallBatcher).
            if (nested is not { Count: > 0 } && worker.OwnsNoRefIn(sent))
            {
                // An actor hosted in this process whose turn it is takes the call from this thread (see ILocalActors).
                if (channel.Recovering || _localActors is not { } local || !local.TryStart(spec, result)) channel.Track(new ActorCall(spec, result, sendable: true, caller));
            }
            else
            {
                var call = new ActorCall(spec, result, sendable: false, caller);
                channel.Track(call);
                _ = SendActorCallAsync(channel, call, nested is { Count: > 0 } ? nested : null);
            }
        }
        return new ObjectRef<T>(resultId, worker.OwnerAddress, worker);
    }

    // The actors each running task of this process has called, so that its callers retire when it ends.
    private readonly ConcurrentDictionary<ObjectId, List<ActorChannel>> _taskCallers = new();

    /// <summary>The caller of this call (the running task or actor, or the driver). Under the channel's gate.</summary>
    private ActorCaller CallerOf(ActorChannel channel, IExecutionScope? scope)
    {
        if (scope is null) return channel.CallerOf("", out _);
        var caller = channel.CallerOf(scope.CallerKey, out var isNew);
        if (isNew && scope.TaskId is { } task)
        {
            var channels = _taskCallers.GetOrAdd(task, _ => []);
            lock (channels) channels.Add(channel);
        }
        return caller;
    }

    /// <summary>
    /// The task run in <paramref name="scope"/> ended on this node: it makes no more calls, so each actor it called may
    /// forget its turns once its calls are answered (see <see cref="ActorChannel.CallerEnded"/>).
    /// </summary>
    public void TaskEnded(IExecutionScope scope)
    {
        if (_taskCallers.IsEmpty || scope.TaskId is not { } task || !_taskCallers.TryRemove(task, out var channels)) return;
        lock (channels)
            foreach (var channel in channels) channel.CallerEnded(scope.CallerKey);
    }

    private ILocalActors? _localActors;

    /// <summary>Called by the node this worker belongs to: the actors it hosts are then called without a message.</summary>
    public void AttachLocalActors(ILocalActors actors) => _localActors = actors;

    private readonly ConcurrentDictionary<ActorId, IActorHostGrain> _actorHosts = new();

    /// <summary>
    /// The actor's host grain, one reference per actor: GetGrain with a string key resolves the interface's grain type
    /// each time (type-name formatting and parsing), which cost more than the rest of a small call.
    /// </summary>
    internal IActorHostGrain HostOf(ActorId actor) =>
        _actorHosts.TryGetValue(actor, out var host) ? host : _actorHosts.GetOrAdd(actor, worker.Grains.GetGrain<IActorHostGrain>(actor.Value));

    /// <summary>
    /// A call whose arguments need resolving (refs this process owns, nested refs): resolved here, then sent by its
    /// channel with the numbering it has then. The host orders calls by sequence number, so waiting for arguments
    /// reorders nothing.
    /// </summary>
    private async Task SendActorCallAsync(ActorChannel channel, ActorCall call, List<ObjectRef>? nested)
    {
        var spec = call.Spec;
        try
        {
            await channel.Actor.Ready.ConfigureAwait(false);
            var (args, failure) = await DependencyResolver.ResolveAsync(worker, spec.Args, DependencyResolver.Scope.Owned).ConfigureAwait(false);
            if (call.Cancelled is { } cancelled) failure = cancelled; // it still takes its turn, so the caller's later calls run
            var lent = nested is not null && failure is null ? await worker.LendNestedAsync(nested).ConfigureAwait(false) : null;
            channel.Resolved(call, current => ReferenceEquals(args, current.Args) && lent is null ? current : new ActorCallSpec
            {
                ActorId = current.ActorId, CallerId = current.CallerId, Sequence = current.Sequence, Incarnation = current.Incarnation, Method = current.Method,
                Args = failure is null ? args : [], ResultId = current.ResultId, Owner = current.Owner, Job = current.Job, FailedDependency = failure,
                Borrowed = lent, AnsweredThrough = current.AnsweredThrough, RetiredCallers = current.RetiredCallers,
                Retry = current.Retry, ConcurrencyGroup = current.ConcurrencyGroup, Stream = current.Stream,
            });
        }
        catch (Exception e)
        {
            CoreLog.ActorCallFailed(logger, e, spec.Method.DisplayName, channel.Actor.Id);
            call.Result.TrySetResult(ActorCallFailed(channel.Actor, spec, e));
        }
    }

    /// <summary>The result of a call that could not be delivered or answered: the actor died for this caller.</summary>
    internal ObjectPayload ActorCallFailed(ActorRef actor, ActorCallSpec spec, Exception e)
    {
        var error = FailureClassifier.ActorCallError(actor.Id, spec.Method.DisplayName, e);
        return ObjectPayload.Failed(worker.Serializer.ToRemoteError(error, $"actor {actor.Id}"));
    }

    /// <summary>
    /// Cancels the actor call whose result is <paramref name="resultId"/> (Ray: an actor task can be cancelled while
    /// queued, and an async one while running; <c>force</c> is refused, as in Ray). Null when the result is not an actor
    /// call's. A call still resolving its arguments here fails now and, when sent, takes its turn failed; any other is
    /// cancelled by its actor's host (<paramref name="actor"/>, the result's <c>MadeBy</c>), which answers it.
    /// </summary>
    public Task CancelAsync(ObjectId resultId, ActorId actor, bool force)
    {
        if (force)
            throw new ArgumentException("force is not supported for actor calls (as in Ray): a forced cancel would stop the actor's process. Cancel without force, or kill the actor.", nameof(force));
        if (_actorChannels.TryGetValue(actor, out var channel) && channel.CancelUnsent(resultId, worker.Cancelled(resultId, "it was cancelled before it was sent to its actor")))
            return Task.CompletedTask;
        return HostOf(actor).CancelCall(resultId);
    }

    /// <summary>A node left the cluster: calls waiting on actors that lived there end now and recover (see <see cref="ActorChannel"/>).</summary>
    public void NodeLeft(NodeId gone)
    {
        foreach (var channel in _actorChannels.Values) channel.NodeLeft(gone);
    }

    /// <summary>A killed actor: its batches, host reference and channel are dropped.</summary>
    public void Forget(ActorId actor)
    {
        _batcher?.Forget(actor);
        _actorHosts.TryRemove(actor, out _);
        _actorChannels.TryRemove(actor, out _);
    }
}
