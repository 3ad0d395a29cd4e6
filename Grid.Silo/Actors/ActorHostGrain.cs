using Grid.Core;
using Grid.Silo.Diagnostics;
using Grid.Functions;
using Grid.Grains;
using Grid.Silo.Execution;
using Grid.Silo.Tasks;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Actors;

/// <summary>
/// Hosts one actor: builds the user's object once, then runs its methods one at a time (or up to
/// the actor's max concurrency), each caller's calls in submission order. The grain is reentrant so
/// calls can arrive and resolve their arguments while a method runs; the ordering is ours. It stays
/// active until killed: an actor's state lives only here. One activation is one incarnation of the actor: a
/// restart (see <see cref="ActorRestarter"/>) builds a new activation, and calls numbered for another incarnation
/// are refused as unavailable, without running, so their caller renumbers and resends them.
/// </summary>
[Reentrant, KeepAlive, Orleans.Placement.RandomPlacement, Placement.GpuPlacementFilter]
internal sealed partial class ActorHostGrain(NodeRuntime node, Raylet.NodeScheduler raylet, ActorRecords records, Jobs.JobCodeRegistry jobs, LocalActors locals, ActorRestarter restarter, TaskRetryEvents retries, Diagnostics.GridMetrics metrics, ILogger<ActorHostGrain> logger) : Grain, IActorHostGrain
{
    // Callers' turns are read by grain turns and, for this process's own worker, by its calling threads (TryStartLocal).
    private readonly Lock _turnsLock = new();
    private readonly Dictionary<string, CallerTurns> _callers = [];
    private ActorCreationSpec? _spec;
    private string? _classTag; // the class's name as metrics tag it (computed once)
    private object? _instance;
    private RemoteError? _constructorError;
    private ConcurrencyGroups? _groups; // set by Create once the class is known: runs the calls whose turn came
    private Func<ActorCallSpec, Exception, ObjectPayload>? _callFailed; // one delegate for the direct calls' failures
    private RunFlow? _flow; // what user code sees (job code, held-ref scope, GridContext), built once per job
    private volatile string? _deathCause;
    // Set when this incarnation ends and the actor restarts: the calls it had accepted are answered unavailable (their
    // callers resend them as MaxTaskRetries allows: they were in flight at the death), not dead.
    private volatile bool _endsForRestart;
    private bool _activatedByCall; // this activation only answers that the actor is not here; it never builds it
    private Task? _creation;
    private Jobs.JobCode? _code; // the job's shipped code; null in the default context
    // Refs the actor received (arguments) or read while running: released when it dies, not when collected.
    private readonly Serialization.DeserializedRefScope _heldRefs = new();

    private ActorId Id => _spec?.ActorId ?? new(this.GetPrimaryKeyString());

    public Task Create(ActorCreationSpec spec)
    {
        // A restart that reached the previous incarnation, or an activation a call made (on a node that holds nothing for
        // the actor), while it was going away: the restarter tries again once it has gone, and Orleans places a new one.
        if (_deathCause is not null || _activatedByCall)
            throw new ActorUnavailableException($"Actor {spec.ActorId}'s host activation here is going away; try again.");
        return _creation ??= CreateCoreAsync(spec);
    }

    private async Task CreateCoreAsync(ActorCreationSpec spec)
    {
        node.Worker.AddBorrowed(spec.Borrowed);
        _spec = spec;
        var worker = node.Worker;
        var origin = $"constructor of actor {spec.ActorId} ({spec.Constructor.DisplayName}) on node {node.NodeId}";
        try
        {
            _code = await jobs.GetAsync(spec.Job);
            _code?.AddActor(spec.ActorId); // the actor dies with its job, which lets the job's code unload
            using var scope = Jobs.JobCode.Enter(_code);
            var ctor = Jobs.JobCode.Resolve(_code, spec.Constructor);
            _groups = new ConcurrencyGroups(ctor.Method.DeclaringType!, spec, Run, UnknownGroup);
            var (args, failure) = await DependencyResolver.ResolveAsync(worker, spec.Args, DependencyResolver.Scope.All);
            if (failure is not null) _constructorError = failure.Error;
            else
            {
                using var held = _heldRefs.Enter();
                var values = await ArgumentResolver.MaterializeAsync(worker, args, ctor.ParameterTypes, CancellationToken.None);
                var context = Context(spec.Job);
                _instance = await Task.Run(() =>
                {
                    GridContext.Set(context);
                    try { return ctor.InvokeAsync(null, values).AsTask(); }
                    finally { GridContext.Set(null); }
                });
                await worker.FlushBorrowRegistrationsAsync(); // the creator releases the arguments once this returns
            }
        }
        catch (Exception e)
        {
            _constructorError = worker.Serializer.ToRemoteError(e, origin);
        }
        // The constructor's outcome is this host's to write; a record the GCS lost is written anew. A kill that came while
        // the constructor ran (its job ended, its owner died) recorded the actor dead: the write is fenced on the record it
        // read, and a dead record stays dead — the actor must not come back because its constructor finished late.
        var error = _constructorError;
        ActorInfo? Built(ActorInfo? stored)
        {
            if (stored is { State: ActorState.Dead }) return null;
            var info = stored ?? new ActorInfo { ActorId = spec.ActorId, ClassName = spec.ClassName, Job = spec.Job, CreatedAt = DateTimeOffset.UtcNow };
            return error is null
                ? info with { State = ActorState.Alive, Node = node.NodeId, PendingReason = null }
                : ActorRecords.Dead(info, $"its constructor failed: {error.TypeName}: {error.Message}") with { Node = node.NodeId };
        }
        var seen = await records.GetAsync(spec.ActorId);
        var written = seen is null ? await records.UpdateAsync(spec.ActorId, Built) : await records.TryUpdateAsync(seen, Built);
        if (written is null && _deathCause is null)
        {
            // Recorded dead by another writer before its kill reached this activation: it ends here as well.
            var dead = await records.GetAsync(spec.ActorId);
            EndHere(dead?.DeathCause ?? "it was recorded dead while its constructor ran", forRestart: false);
        }
        if (_constructorError is not null) raylet.ReleaseActor(spec.ActorId);
        else if (_deathCause is null) locals.Add(spec.ActorId, this);
        else
        {
            // Killed while the constructor ran: the instance it made is not used.
            (Interlocked.Exchange(ref _instance, null) as IDisposable)?.Dispose();
        }
    }

    private GridContext Context(JobId job)
    {
        var lease = raylet.ActorLease(Id);
        // The environment and namespace are the actor's own job's, whoever calls it (a detached actor's callers may be
        // other jobs); the actors its code creates are its own (they die with it, unless detached).
        return new GridContext(node.ClientFor(job, jobs.NamespaceOf(_spec?.Job ?? job), Id), node.NodeId, job, null, Id, lease?.GpuIds ?? [])
        {
            Resources = lease?.Resources ?? _spec?.Resources, Environment = jobs.EnvironmentOf(_spec?.Job ?? job),
        };
    }

    public Task<ObjectPayload> Call(ActorCallSpec call)
    {
        // A call arriving after this incarnation ended was never accepted by it: refused (resent freely) for a restart.
        if (_deathCause is { } cause && _endsForRestart) return Task.FromResult(Unavailable(call, $"it is restarting ({cause})"));
        node.Worker.AddBorrowed(call.Borrowed);
        // The common case has nothing to wait for but its turn: the actor is built and every argument is a value.
        // It is queued to run at once, or parked until its predecessors have started (a batch that overtook the
        // caller's previous message), without an async turn of its own on the grain.
        if (_creation is { IsCompletedSuccessfully: true } && _constructorError is null && call.Incarnation == _spec!.Incarnation && call.FailedDependency is null && AllInline(call.Args))
        {
            lock (_turnsLock)
            {
                var turns = TurnsOf(call);
                if (turns.TryGetOutcome(call.Sequence, out var known)) return known; // sent again: its answer was cut in transit
                var outcome = turns.IsCurrent(call.Sequence) ? StartNow(call, turns, direct: null)! : Park(call, turns);
                turns.Remember(call.Sequence, outcome, call.AnsweredThrough);
                return outcome;
            }
        }
        lock (_turnsLock)
            if (TurnsOf(call).TryGetOutcome(call.Sequence, out var known)) return known;
        var slow = CallAsync(call);
        // Only a call this incarnation takes in turn is kept: one refused (another incarnation, no actor here) runs nowhere.
        if (_spec is { } spec && call.Incarnation == spec.Incarnation)
            lock (_turnsLock) TurnsOf(call).Remember(call.Sequence, slow, call.AnsweredThrough);
        return slow;
    }

    /// <summary>
    /// A call from this process's own worker (see <see cref="LocalActors"/>), on the caller's thread: started as the
    /// fast path of <see cref="Call"/> would, its outcome published into <paramref name="result"/>. False when it must
    /// go through the grain (it is not its caller's turn yet, its arguments need resolving, or the actor is dying).
    /// </summary>
    public bool TryStartLocal(ActorCallSpec call, TaskCompletionSource<ObjectPayload> result)
    {
        // Restartable actors take calls only through the grain: their callers keep such calls to resend them after a restart.
        if (_deathCause is not null || _spec is not { MaxRestarts: 0 } || call.Incarnation != _spec.Incarnation
            || call.FailedDependency is not null || call.Borrowed is not null || !AllInline(call.Args)) return false;
        lock (_turnsLock)
        {
            var turns = TurnsOf(call);
            if (!turns.IsCurrent(call.Sequence)) return false;
            StartNow(call, turns, result);
            return true;
        }
    }

    /// <summary>
    /// The turns of the call's caller. Callers the call says are retired (a task that ended, every call answered) are
    /// forgotten first. Under the turns lock.
    /// </summary>
    private CallerTurns TurnsOf(ActorCallSpec call)
    {
        if (call.RetiredCallers is { } retired)
            foreach (var gone in retired) _callers.Remove(gone);
        if (_callers.TryGetValue(call.CallerId, out var turns)) return turns;
        turns = _callers[call.CallerId] = new CallerTurns();
        if (_deathCause is not null) turns.Open();
        return turns;
    }

    /// <summary>The actor died: calls held for their turn go now, to end as dead (see <see cref="CallerTurns.Open"/>).</summary>
    private void OpenTurns()
    {
        lock (_turnsLock)
            foreach (var turns in _callers.Values) turns.Open();
    }

    private static bool AllInline(TaskArg[] args)
    {
        foreach (var a in args)
            if (a.Inline is null) return false;
        return true;
    }

    /// <summary>
    /// A call that is ready now: its arguments are read here and it is queued behind the calls that started before it.
    /// Under the turns lock. Returns the outcome for a grain caller; a <paramref name="direct"/> caller's goes there.
    /// </summary>
    private Task<ObjectPayload>? StartNow(ActorCallSpec call, CallerTurns turns, TaskCompletionSource<ObjectPayload>? direct)
    {
        var (method, args, failure) = Prepare(call);
        // Queued before the turn advances: parked successors that Advance starts queue behind it.
        Task<ObjectPayload>? run = null;
        if (failure is not null)
        {
            if (direct is null) run = Task.FromResult(failure);
            else direct.TrySetResult(failure);
        }
        else if (direct is not null) Enqueue(new DirectCall(call, method!, args!, direct, _callFailed ??= CallFailed));
        else run = Enqueue(new ReadyCall(call, method!, args!));
        turns.Advance(); // a call that fails before running still takes its turn, so the caller's later calls run
        return run;
    }

    /// <summary>
    /// A ready call that arrived before its predecessor: its arguments are read now, and it starts when its turn comes.
    /// Under the turns lock.
    /// </summary>
    private Task<ObjectPayload> Park(ActorCallSpec call, CallerTurns turns)
    {
        var (method, args, failure) = Prepare(call);
        if (failure is not null)
        {
            var failed = new ParkedFailure(failure);
            turns.Park(call.Sequence, failed);
            return failed.Task;
        }
        var ready = new ReadyCall(call, method!, args!);
        turns.Park(call.Sequence, new ParkedRun(this, ready));
        return ready.Task;
    }

    /// <summary>
    /// Resolves a ready call's method and reads its (inline) arguments, or gives the failure the call ends with.
    /// Under the turns lock.
    /// </summary>
    private (RemoteMethod? Method, object?[]? Args, ObjectPayload? Failure) Prepare(ActorCallSpec call)
    {
        var worker = node.Worker;
        RemoteMethod method;
        object?[] args;
        try { method = ResolveMethod(call.Method); }
        catch (Exception e) { return (null, null, ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, $"actor {Id} method {call.Method.DisplayName}"))); }
        try
        {
            using var scope = Jobs.JobCode.Enter(_code);
            using var held = _heldRefs.Enter();
            args = new object?[call.Args.Length];
            for (var i = 0; i < args.Length; i++)
                if (i != method.CancellationParameter) args[i] = worker.Serializer.Deserialize(call.Args[i].Inline!, method.ParameterTypes[i], worker);
        }
        catch (Exception e) { return (null, null, ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, $"arguments of {call.Method.DisplayName}"))); }
        return (method, args, null);
    }

    // The method of the last call read (under the turns lock). A batch's calls share one descriptor instance (Orleans
    // writes a repeated object once per message), so a burst resolves it once instead of hashing its strings per call.
    private (FunctionDescriptor Descriptor, RemoteMethod Method)? _lastMethod;

    private RemoteMethod ResolveMethod(FunctionDescriptor descriptor)
    {
        if (_lastMethod is { } last && ReferenceEquals(last.Descriptor, descriptor)) return last.Method;
        var method = Jobs.JobCode.Resolve(_code, descriptor);
        _lastMethod = (descriptor, method);
        return method;
    }

    /// <summary>A parked call that runs when its turn comes.</summary>
    private sealed class ParkedRun(ActorHostGrain host, ReadyCall ready) : IParkedCall
    {
        public void Start() => host.Enqueue(ready);
    }

    /// <summary>A parked call that could not be read: it fails in its turn, as a call arriving in order would.</summary>
    private sealed class ParkedFailure(ObjectPayload failure) : TaskCompletionSource<ObjectPayload>, IParkedCall
    {
        public void Start() => TrySetResult(failure);
    }

    private async Task<ObjectPayload> CallAsync(ActorCallSpec call)
    {
        var worker = node.Worker;
        if (_spec is null)
        {
            // A host activated by a call, not by Create: the actor was killed, its node died, or it is restarting.
            _activatedByCall = true;
            var info = await records.GetAsync(call.ActorId);
            this.DeactivateOnIdle();
            if (info is null) return NotFound(call);
            if (info is { State: ActorState.Dead }) return Died(call, info.DeathCause ?? "its host was lost (the node that ran it died)");
            return Unavailable(call, info.State == ActorState.Restarting
                ? $"it is restarting (restart {info.RestartCount}, after {info.DeathCause})"
                : $"its node {info.Node} is unreachable and not yet declared dead");
        }
        await _creation!;
        if (_constructorError is not null) return ObjectPayload.Failed(_constructorError);
        if (call.Incarnation != _spec.Incarnation)
            return Unavailable(call, $"the call was numbered for its incarnation {call.Incarnation}, and incarnation {_spec.Incarnation} runs now");

        CallerTurns turns;
        lock (_turnsLock) turns = TurnsOf(call);
        RemoteMethod? method = null;
        Exception? unresolved = null;
        try { method = Jobs.JobCode.Resolve(_code, call.Method); }
        catch (Exception e) { unresolved = e; } // fails in its turn, so the caller's later calls still run
        using var scope = Jobs.JobCode.Enter(_code);
        // Resolve arguments while earlier calls run; run strictly in the caller's order.
        var prepared = DependencyResolver.ResolveAsync(worker, call.Args, DependencyResolver.Scope.All).AsTask();
        Task turn;
        lock (_turnsLock) turn = turns.WaitTurnAsync(call.Sequence);
        await turn;
        ObjectPayload? early = null;
        object?[]? args = null;
        try
        {
            var (wireArgs, failure) = await prepared;
            if ((call.FailedDependency ?? failure) is { } failed) early = failed;
            else if (unresolved is not null) throw unresolved;
            else
            {
                using var held = _heldRefs.Enter();
                args = await ArgumentResolver.MaterializeAsync(worker, wireArgs, method!.ParameterTypes, CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            early = ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, e == unresolved ? $"actor {Id} method {call.Method.DisplayName}" : $"arguments of {call.Method.DisplayName}"));
        }
        if (early is not null)
        {
            lock (_turnsLock) turns.Advance();
            return early;
        }
        Task<ObjectPayload> run;
        lock (_turnsLock)
        {
            run = Enqueue(new ReadyCall(call, method!, args!));
            turns.Advance();
        }
        return await run;
    }

    /// <summary>Runs one call on a pool thread (see <see cref="ActorRunner"/>), in the actor's flow.</summary>
    private ValueTask<ObjectPayload> Run(ReadyCall call)
    {
        // Kill sets the cause, then clears the instance (a built actor's instance is never null otherwise): either
        // one seen here means the actor is dead.
        var instance = Volatile.Read(ref _instance);
        if (_deathCause is { } cause || instance is null) return new ValueTask<ObjectPayload>(Died(call.Spec, _deathCause ?? "it was killed"));
        if (call.CancelRequested) return new ValueTask<ObjectPayload>(CallCancelled(call, "before it ran")); // answered already (TryCancel)
        var flow = FlowFor(call.Spec.Job);
        var before = ExecutionContext.Capture();
        ExecutionContext.Restore(flow);
        try
        {
            var spec = call.Spec;
            // A call that throws is retried in place (see UserCode), holding its turn; a kill or a cancel stops further runs.
            var running = UserCode.RunAsync(node.Worker, call.Method, instance, call.Args, spec.ResultId, spec.Owner,
                new FailureOrigin(spec.ActorId, spec.Method.DisplayName, node.NodeId),
                retry: new RetryRun(spec.Retry, 0, spec.Job, retries, call.Cancellation is null ? _killed ??= () => _deathCause is not null : () => _deathCause is not null || call.CancelRequested), stream: spec.Stream);
            return call.Cancellation is null ? running : call.AnsweredCancelledAsync(running, _callCancelledRunning ??= c => CallCancelled(c, "while it ran"));
        }
        finally { if (before is not null) ExecutionContext.Restore(before); }
    }

    private Func<bool>? _killed; // one delegate for every call's retries: the actor is dying

    // Cancels of calls not held by a runner when they came (not arrived, waiting for their turn or arguments): each is
    // answered cancelled when its turn queues it (Enqueue). Kept until then; a cancel names only a call its caller has not had answered.
    private System.Collections.Concurrent.ConcurrentDictionary<ObjectId, byte>? _cancelled;

    public Task CancelCall(ObjectId resultId)
    {
        if (_groups?.TryCancel(resultId, _callCancelled ??= c => CallCancelled(c, "before it ran")) == true) return Task.CompletedTask;
        LazyInitializer.EnsureInitialized(ref _cancelled).TryAdd(resultId, 0);
        return Task.CompletedTask;
    }

    private Func<ReadyCall, ObjectPayload>? _callCancelled, _callCancelledRunning;

    /// <summary>
    /// Queues a call whose turn came in its concurrency group, or answers it cancelled at once when a cancel came for it
    /// before it got here (it has taken its turn all the same, so its caller's later calls run).
    /// </summary>
    private Task<ObjectPayload> Enqueue(ReadyCall call)
    {
        if (_cancelled is { IsEmpty: false } cancels && cancels.TryRemove(call.Spec.ResultId, out _))
        {
            call.RequestCancel();
            call.Publish(CallCancelled(call, "before it ran"), lone: false);
            return call.Task;
        }
        metrics.ActorCall(_classTag ??= Diagnostics.GridMetrics.ClassTag(_spec?.ClassName ?? ""));
        return _groups!.Enqueue(call);
    }

    private ObjectPayload CallCancelled(ReadyCall call, string when) =>
        node.Worker.Cancelled(call.Spec.ResultId, $"{call.Spec.Method.DisplayName} on actor {Id}, {when}");

    private sealed record RunFlow(JobId Job, ExecutionContext Context);

    /// <summary>
    /// The execution context user code runs in: the job's code, the scope that records the refs the actor receives,
    /// and its GridContext. Built on a pool thread's default context, so nothing of a grain turn flows into user code.
    /// </summary>
    private ExecutionContext FlowFor(JobId job)
    {
        if (_flow is { } known && known.Job == job) return known.Context;
        ExecutionContext context;
        using (Jobs.JobCode.Enter(_code))
        using (_heldRefs.Enter())
        {
            GridContext.Set(Context(job));
            context = ExecutionContext.Capture()!;
            GridContext.Set(null);
        }
        _flow = new RunFlow(job, context);
        return context;
    }

    /// <summary>A call naming a concurrency group the actor does not have.</summary>
    private ObjectPayload UnknownGroup(ReadyCall call, string group) =>
        ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(new ConcurrencyGroupNotFoundException(
            $"Actor {Id} has no concurrency group '{group}' for {call.Spec.Method.DisplayName} (it has: {(_groups!.Names.Any() ? string.Join(", ", _groups.Names) : "only the default group")}). " +
            "Declare it with [ConcurrencyGroup(\"" + group + "\", limit)] on the class or ActorOptions.ConcurrencyGroups, or name one it has."), $"actor {Id}"));

    /// <summary>A call to an actor id the cluster has no record of (never created here, or a hand-made handle).</summary>
    private ObjectPayload NotFound(ActorCallSpec call) =>
        ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(new ActorNotFoundException(
            $"No actor {call.ActorId} exists in this cluster: it was never created here. Create it with CreateActorAsync, or look a named one up with GetActorAsync."), $"actor {call.ActorId}"));

    /// <summary>A call the dead actor will never run; the answer for a restarting one is <see cref="Unavailable"/>.</summary>
    private ObjectPayload Died(ActorCallSpec call, string cause) => _endsForRestart ? Unavailable(call, $"it is restarting ({cause})", ActorUnavailableException.AcceptedOrigin) :
        ActorDied(call, $"is dead ({cause}); {call.Method.DisplayName} did not run");

    /// <summary>The answer of a call to an actor that died: "Actor a " + <paramref name="what"/>.</summary>
    private ObjectPayload ActorDied(ActorCallSpec call, string what) =>
        ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(new ActorDiedException($"Actor {call.ActorId} {what}."), $"actor {call.ActorId}"));

    /// <summary>A call this incarnation does not run; its caller resends it to the next one (see ActorChannel).</summary>
    private ObjectPayload Unavailable(ActorCallSpec call, string why, string? origin = null) =>
        ObjectPayload.Failed(node.Worker.Serializer.ToRemoteError(
            new ActorUnavailableException($"Actor {call.ActorId} cannot take {call.Method.DisplayName} now: {why}. The call did not run."), origin ?? $"actor {call.ActorId}"));

    public Task Kill(string reason) => EndAsync(reason, restart: false);

    public async Task Restart(string reason)
    {
        var info = await records.GetAsync(Id);
        await EndAsync(reason, restart: info is { State: ActorState.Alive, MayRestart: true } && info.Node == node.NodeId);
    }

    /// <summary>
    /// Ends this incarnation: held calls go at once (to fail as dead, or as unavailable for a restart), resources and
    /// held refs are released. A restart then hands the GCS record to the restarter, which builds the next incarnation
    /// once this activation is gone; otherwise the record says Dead, which releases the actor's name.
    /// </summary>
    private async Task EndAsync(string reason, bool restart)
    {
        if (_deathCause is not null) return;
        EndHere(reason, restart);
        var info = await records.GetAsync(Id);
        if (restart && info is not null) _ = Task.Run(() => restarter.RestartOrEndAsync(info, reason));
        else await RecordDeadAsync(info, reason);
        (_instance as IDisposable)?.Dispose();
        _instance = null;
        ReleaseHeldRefs();
        _code?.RemoveActor(Id);
        _code = null;
        lock (_turnsLock) _lastMethod = null; // it holds the job's code too
        NodeLog.ActorKilled(logger, Id, reason);
        this.DeactivateOnIdle();
    }

    /// <summary>
    /// What ends this incarnation on this node, however it ends (killed, restarted, its silo stopping): from now on
    /// calls are refused (as unavailable when it ends for a restart, else as dead), held calls go at once, and its
    /// resources return to the node. Synchronous, so that a call arriving meanwhile sees the end.
    /// </summary>
    private void EndHere(string cause, bool forRestart)
    {
        _endsForRestart = forRestart;
        _deathCause = cause;
        locals.Remove(Id, this);
        OpenTurns();
        // Killed for good: calls still running or queued are answered now, as Ray's actor process dies with them (a
        // restart leaves them be: their callers resend what the next incarnation does not answer).
        if (!forRestart) _groups?.AnswerAll((call, running) => running
            ? ActorDied(call.Spec, $"was killed ({cause}) while {call.Spec.Method.DisplayName} ran; its result is discarded")
            : Died(call.Spec, cause));
        if (_spec is not null) raylet.ReleaseActor(_spec.ActorId);
    }

    /// <summary>An actor's death releases the refs it held (Ray: the actor's worker exits), without waiting for a GC.</summary>
    private void ReleaseHeldRefs()
    {
        var released = _heldRefs.DisposeAll();
        if (released > 0) NodeLog.ActorRefsReleased(logger, Id, released);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_spec is not null && _deathCause is null)
        {
            // The silo is going away with the actor. A restartable one keeps its record: the nodes that see this one
            // leave restart it (see ActorRestarter). Otherwise record its death so callers get a clear error.
            var info = await records.GetAsync(_spec.ActorId);
            var cause = $"its node {node.NodeId} shut down ({reason.Description})";
            EndHere(cause, forRestart: info is { MayRestart: true });
            ReleaseHeldRefs();
            if (!_endsForRestart) await RecordDeadAsync(info, cause);
        }
    }

    /// <summary>
    /// Records the actor dead, unless the record describes another incarnation by now (a killed silo's activation
    /// can end after the actor was restarted elsewhere: it must not bury its successor).
    /// </summary>
    private async Task RecordDeadAsync(ActorInfo? info, string cause)
    {
        if (info is null) return;
        var incarnation = _spec?.Incarnation;
        await records.RecordDeadAsync(info, cause, stored => stored.State != ActorState.Dead && (incarnation is null || stored.RestartCount == incarnation));
    }
}
