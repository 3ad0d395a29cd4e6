using Grid.Core.Diagnostics;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>One call as its caller keeps it until it has an answer: it may be sent again to a restarted actor.</summary>
internal sealed class ActorCall(ActorCallSpec spec, TaskCompletionSource<ObjectPayload> result, bool sendable, ActorCaller caller)
{
    /// <summary>Who made the call: its numbering and the calls it waits behind are that caller's alone.</summary>
    public ActorCaller Caller { get; } = caller;
    /// <summary>The call as it goes out now (numbered for the current incarnation). Under the channel's gate.</summary>
    public ActorCallSpec Spec = spec;
    public TaskCompletionSource<ObjectPayload> Result { get; } = result;
    /// <summary>Bumped whenever the call is renumbered or lost: an answer to an earlier attempt is ignored.</summary>
    public int Attempt;
    /// <summary>False while <c>SendActorCallAsync</c> resolves the arguments; it sends the call itself then.</summary>
    public bool Sendable = sendable;
    /// <summary>Set when the call is cancelled while its arguments resolve: it is sent failed with this (see CancelUnsent).</summary>
    public ObjectPayload? Cancelled;
    /// <summary>How many times an incarnation died while this call was in flight to it (compared to MaxTaskRetries).</summary>
    public int Deaths;
    /// <summary>
    /// When the attempt whose send failed or was cut off (connection, unreachable silo, its node seen leaving) was
    /// sent: it counts as in flight at the death only if sent before the GCS recorded the death
    /// (<see cref="ActorInfo.DiedAt"/>, written after Orleans declared the node dead); one sent later went to a node
    /// already known dead and never reached the actor.
    /// </summary>
    public DateTimeOffset? FailedSendAt;
}

/// <summary>What a batch carries for one call: the call, and which numbering and attempt this send is.</summary>
internal readonly record struct PendingCall(ActorCall Call, ActorCallSpec Spec, int Attempt);

/// <summary>
/// One caller of one actor, as Ray counts callers: the driver, a task, or an actor (all its methods) of this process.
/// Its calls are numbered from 1 in each incarnation, and the host starts them in that order; another caller's calls
/// never wait behind them (a call waiting on a slow argument blocks only its own caller's later calls). Under the
/// channel's gate.
/// </summary>
internal sealed class ActorCaller(string key, string callerId)
{
    /// <summary>The task or actor within this process ("" for the driver or other code outside one).</summary>
    public string Key { get; } = key;
    /// <summary>
    /// The id the host orders by: the worker's id for the driver; for a task or an actor, the worker's id and a number
    /// new for each caller this process makes, so a task run again here (lineage) never meets its earlier run's turns.
    /// </summary>
    public string CallerId { get; } = callerId;
    /// <summary>The last number given in the current incarnation.</summary>
    public long Sequence;
    /// <summary>Every call numbered up to here is answered (see ActorCallSpec.AnsweredThrough).</summary>
    public long AnsweredThrough;
    /// <summary>The calls kept until answered, by the sequence number of their current spec.</summary>
    public readonly Dictionary<long, ActorCall> Unfinished = [];
    /// <summary>The task that made the calls ended: once every call is answered, the caller is retired.</summary>
    public bool Ended;
}

/// <summary>
/// This process's link to one actor: numbers its calls per incarnation (sequence numbers count from 1 in each),
/// keeps every call sent through the host grain until it has an answer, and recovers when the incarnation dies.
/// A death shows as a failed or cancelled send (the actor's node left the cluster: <see cref="NodeLeft"/> cancels
/// the sends still waiting, which Orleans would otherwise hold until its long response timeout) or as an
/// <see cref="ActorUnavailableException"/> answer from the host (restarting, or the call was meant for an
/// incarnation that died). Recovery waits (bounded by <see cref="RecoveryTimeout"/>) until the GCS shows the next
/// incarnation alive or the actor dead; then every unfinished call is renumbered in its original order and sent
/// again, or failed with <see cref="ActorDiedException"/> when it was sent to the dead incarnation and
/// MaxTaskRetries does not allow another try. Calls made while recovering wait and go after the resent ones, so
/// each caller's order holds across a restart. Calls started through ILocalActors are not kept here: a host refuses
/// those for restartable actors.
/// </summary>
internal sealed class ActorChannel
{
    /// <summary>How long calls wait for a dying actor to come back before failing with ActorUnavailableException.</summary>
    public static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(2);
    // How often recovery looks again while the GCS still shows the dead incarnation alive (its node's death not yet
    // recorded by the nodes' membership): it changes within Orleans' death detection time.
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(100);
    // How long recovery lets the GCS show the incarnation alive, on a node this process has not seen die, before it
    // takes the incarnation for a survivor and sends the calls again to it (a death is recorded within this, mostly).
    private static readonly TimeSpan SurvivorGrace = TimeSpan.FromSeconds(1);

    private readonly CoreWorker _worker;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ActorCaller> _callers = [];  // by the caller's key within this process
    private static long s_callers;
    private List<string>? _retired; // callers whose host state may go: told to the host with the next call sent
    private CancellationTokenSource _lost = new();
    private NodeId? _node;
    private bool _recovering;
    private string? _deadCause;

    public ActorChannel(CoreWorker worker, ActorRef actor, ILogger logger)
    {
        _worker = worker;
        _logger = logger;
        Actor = actor;
        Incarnation = actor.Incarnation;
        _ = LearnNodeAsync();
    }

    public ActorRef Actor { get; }
    /// <summary>Numbering, tracking and queueing of this actor's calls happen under it, in submission order.</summary>
    public Lock Gate { get; } = new();
    /// <summary>The incarnation calls are numbered for. Under the gate.</summary>
    public int Incarnation { get; private set; }
    /// <summary>Whether calls may start through ILocalActors now (not while recovering). Under the gate.</summary>
    public bool Recovering => _recovering;
    /// <summary>Cancelled when the node of the current incarnation leaves the cluster.</summary>
    public CancellationToken LostToken => Volatile.Read(ref _lost).Token;

    /// <summary>
    /// The caller known by <paramref name="key"/> in this process (see <see cref="ActorTaskSubmitter"/>), made when it has
    /// no calls kept here (<paramref name="isNew"/>). Under the gate.
    /// </summary>
    public ActorCaller CallerOf(string key, out bool isNew)
    {
        isNew = !_callers.TryGetValue(key, out var caller);
        if (isNew) _callers[key] = caller = new ActorCaller(key, key.Length == 0 ? _worker.WorkerId : $"{_worker.WorkerId}/{Interlocked.Increment(ref s_callers)}");
        return caller!;
    }

    /// <summary>
    /// The task behind caller <paramref name="key"/> ended: it makes no more calls, so once every call it made is
    /// answered, the host may forget its turns (see <see cref="TakeRetired"/>).
    /// </summary>
    public void CallerEnded(string key)
    {
        lock (Gate)
        {
            if (!_callers.TryGetValue(key, out var caller)) return;
            caller.Ended = true;
            if (caller.Unfinished.Count == 0) Retire(caller);
        }
    }

    private void Retire(ActorCaller caller)
    {
        _callers.Remove(caller.Key);
        (_retired ??= []).Add(caller.CallerId);
    }

    /// <summary>
    /// Callers that ended with every call answered since the last call was made: the next call carries them to the host
    /// (ActorCallSpec.RetiredCallers), which drops their turns, so per-task callers cost the host nothing once done.
    /// Under the gate.
    /// </summary>
    public string[]? TakeRetired()
    {
        if (_retired is null) return null;
        var retired = _retired.ToArray();
        _retired = null;
        return retired;
    }

    /// <summary>The node of the current incarnation, once known.</summary>
    public NodeId? Node { get { lock (Gate) return _node; } }

    /// <summary>Why the actor is dead for good, or null. Under the gate.</summary>
    public string? DeadCause => _deadCause;

    /// <summary>Keeps <paramref name="call"/> until it is answered and sends it unless its arguments still resolve or the actor is recovering. Under the gate.</summary>
    public void Track(ActorCall call)
    {
        call.Caller.Unfinished[call.Spec.Sequence] = call;
        if (call.Sendable && !_recovering) Send(call);
    }

    /// <summary>
    /// Cancels the call making <paramref name="resultId"/> if it has not been sent (its arguments still resolve): its
    /// result is <paramref name="cancelled"/> now, and it is sent failed, to take its turn. False when it was sent.
    /// </summary>
    public bool CancelUnsent(ObjectId resultId, ObjectPayload cancelled)
    {
        lock (Gate)
        {
            foreach (var caller in _callers.Values)
                foreach (var call in caller.Unfinished.Values)
                    if (call.Spec.ResultId == resultId)
                    {
                        if (call.Sendable) return false;
                        call.Cancelled = cancelled;
                        call.Result.TrySetResult(cancelled);
                        return true;
                    }
        }
        return false;
    }

    /// <summary>A call whose arguments resolved: it goes with its current numbering (recovery may have renumbered it).</summary>
    public void Resolved(ActorCall call, Func<ActorCallSpec, ActorCallSpec> withArguments)
    {
        lock (Gate)
        {
            if (call.Result.Task.IsCompleted && call.Cancelled is null) return;
            call.Caller.Unfinished.Remove(call.Spec.Sequence);
            call.Spec = withArguments(call.Spec);
            call.Sendable = true;
            Track(call);
        }
    }

    private void Send(ActorCall call)
    {
        _worker.Actors.Batcher.Enqueue(this, new PendingCall(call, call.Spec, call.Attempt));
    }

    /// <summary>
    /// An answer from the host: delivered, unless it says the incarnation is gone (then the call is kept for
    /// recovery). A call the host refused did not run and is resent freely; one the dying incarnation had accepted
    /// counts as in flight at its death.
    /// </summary>
    public void Deliver(in PendingCall pending, ObjectPayload payload, bool lone)
    {
        if (payload is { Kind: PayloadKind.Error, Error: { } error } && error.TypeName == typeof(ActorUnavailableException).FullName)
        {
            Lose(pending, inFlight: error.Origin == ActorUnavailableException.AcceptedOrigin, failedSendAt: null);
            return;
        }
        lock (Gate)
        {
            // Renumbered or sent again since (the resent copy answers).
            if (pending.Call.Attempt != pending.Attempt) return;
            var caller = pending.Call.Caller;
            // Answered here already (a cancel before it was sent): it is done with all the same.
            if (!caller.Unfinished.Remove(pending.Spec.Sequence) && pending.Call.Result.Task.IsCompleted) return;
            if (pending.Spec.Incarnation == Incarnation)
                while (caller.AnsweredThrough < caller.Sequence && !caller.Unfinished.ContainsKey(caller.AnsweredThrough + 1)) caller.AnsweredThrough++;
            if (caller.Ended && caller.Unfinished.Count == 0 && _callers.GetValueOrDefault(caller.Key) == caller) Retire(caller);
        }
        if (lone) ResultDelivery.CompleteLone(pending.Call.Result, payload);
        else pending.Call.Result.TrySetResult(payload);
    }

    /// <summary>
    /// The send failed or was cancelled (the node died), or the host said the incarnation is gone. A call
    /// <paramref name="inFlight"/> (it may have run) counts against MaxTaskRetries when it is resent; one whose send
    /// failed at <paramref name="failedSendAt"/> counts if that was before the death was recorded.
    /// </summary>
    public void Lose(in PendingCall pending, bool inFlight, DateTimeOffset? failedSendAt)
    {
        lock (Gate)
        {
            if (pending.Call.Attempt != pending.Attempt || pending.Call.Result.Task.IsCompleted) return;
            pending.Call.Attempt++;
            if (inFlight) pending.Call.Deaths++;
            pending.Call.FailedSendAt = inFlight ? null : failedSendAt;
            if (pending.Spec.Incarnation != Incarnation || _recovering) return; // a recovery already covers it
            _recovering = true;
        }
        _ = RecoverAsync(pending.Spec.Incarnation);
    }

    /// <summary>
    /// The send was cut in transit by another node's death (a client's gateway died; see <see cref="NodeDeaths"/>): the
    /// call goes again as it is, to the same incarnation, whose host answers a call it already has with that call's
    /// outcome instead of running it twice. Not a loss: nothing is counted.
    /// </summary>
    public void Interrupted(in PendingCall pending)
    {
        lock (Gate)
        {
            if (pending.Call.Attempt != pending.Attempt || pending.Call.Result.Task.IsCompleted) return;
            pending.Call.Attempt++;
            if (pending.Spec.Incarnation != Incarnation || _recovering) return; // a recovery sends it
            Send(pending.Call);
        }
    }

    /// <summary>The node left the cluster: if this actor lived there, its waiting sends end now and recovery begins.</summary>
    public void NodeLeft(NodeId gone)
    {
        CancellationTokenSource lost;
        lock (Gate)
        {
            if (_node != gone) return;
            lost = _lost;
        }
        lost.Cancel();
    }

    private async Task LearnNodeAsync()
    {
        try
        {
            await Actor.Ready.ConfigureAwait(false);
            var info = await _worker.Grains.GetGrain<IGcsGrain>(0).GetActor(Actor.Id).ConfigureAwait(false);
            lock (Gate)
                if (info is { State: ActorState.Alive } && info.RestartCount == Incarnation && _node is null) _node = info.Node;
        }
        catch (Exception e)
        {
            CoreLog.ActorNodeUnknown(_logger, e, Actor.Id);
        }
    }

    private async Task RecoverAsync(int lost)
    {
        var gcs = _worker.Grains.GetGrain<IGcsGrain>(0);
        var started = DateTime.UtcNow;
        var deadline = started + RecoveryTimeout;
        ActorInfo? info = null;
        string? failure = null;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                info = await gcs.GetActor(Actor.Id).ConfigureAwait(false);
                if (info is null or { State: ActorState.Dead } || info is { State: ActorState.Alive } && info.RestartCount > lost) break;
                if (left <= TimeSpan.Zero)
                {
                    failure = $"Actor {Actor.Id} did not come back within {RecoveryTimeout.TotalSeconds:0} s after its incarnation {lost} died (state {info.State}, restart {info.RestartCount}); the call did not run. Check `grid status` for its nodes.";
                    break;
                }
                if (info.State is ActorState.Restarting or ActorState.Pending)
                {
                    try { await gcs.WaitActorPlaced(Actor.Id).WaitAsync(left).ConfigureAwait(false); }
                    catch (TimeoutException) { /* the loop reports it */ }
                }
                else if (info.Node is { } node && !_worker.IsKnownDead(node) && DateTime.UtcNow - started >= SurvivorGrace)
                {
                    // Still alive, on a node this process has not seen die: the calls were cut on their way (a gateway
                    // died, a connection broke), not lost with the actor. They go again as they are.
                    ResendToSurvivor();
                    return;
                }
                else await Task.Delay(RecheckInterval).ConfigureAwait(false); // alive at the dead incarnation: not yet recorded
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e) && left > TimeSpan.Zero)
            {
                // The GCS grain may have lived on the node that died (or been reached through it): ask again until the deadline.
                await Task.Delay(RecheckInterval).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = $"Actor {Actor.Id} could not be reached again after its incarnation {lost} died: the GCS did not answer ({e.GetType().Name}); the call did not run.";
                break;
            }
        }
        Resume(info, failure);
    }

    /// <summary>
    /// Ends a recovery whose incarnation turned out alive: every unfinished call goes again with its numbering, in order
    /// (the host answers those it already has with their outcomes, and runs the others in turn), and new calls go.
    /// </summary>
    private void ResendToSurvivor()
    {
        lock (Gate)
        {
            _recovering = false;
            foreach (var call in Unfinished())
            {
                if (!call.Sendable) continue; // still resolving its arguments: it sends itself
                call.Attempt++;
                Send(call);
            }
        }
    }

    /// <summary>Ends a recovery: resends or fails every unfinished call, in order, and lets new calls go.</summary>
    private void Resume(ActorInfo? info, string? failure)
    {
        var failed = new List<(ActorCall Call, Exception Error)>();
        lock (Gate)
        {
            var calls = Unfinished();
            foreach (var caller in _callers.Values) caller.Unfinished.Clear();
            if (failure is not null)
            {
                foreach (var call in calls) failed.Add((call, new ActorUnavailableException(failure)));
                _recovering = false;
            }
            else if (info is null or { State: ActorState.Dead })
            {
                _deadCause = info?.DeathCause ?? "it is no longer registered";
                _lost.Cancel();
                foreach (var call in calls)
                    failed.Add((call, new ActorDiedException(call.Deaths > 0 || call.FailedSendAt is not null
                        ? $"Actor {Actor.Id} died while {call.Spec.Method.DisplayName} was in flight ({_deadCause}), and it will not restart."
                        : $"Actor {Actor.Id} is dead ({_deadCause}); {call.Spec.Method.DisplayName} did not run.")));
                _recovering = false;
            }
            else
            {
                Incarnation = info.RestartCount;
                _node = info.Node;
                _lost = new CancellationTokenSource();
                foreach (var caller in _callers.Values) caller.Sequence = caller.AnsweredThrough = 0;
                _recovering = false;
                foreach (var call in calls)
                {
                    call.Attempt++;
                    if (call.FailedSendAt is { } sent && (info.DiedAt is not { } died || sent < died)) call.Deaths++;
                    call.FailedSendAt = null;
                    if (call.Deaths > info.MaxTaskRetries && info.MaxTaskRetries != -1)
                    {
                        failed.Add((call, new ActorDiedException(
                            $"Actor {Actor.Id} died while {call.Spec.Method.DisplayName} was in flight ({info.DeathCause}); it was restarted " +
                            $"(restart {info.RestartCount}), but ActorOptions.MaxTaskRetries = {info.MaxTaskRetries} does not allow sending the call again.")));
                        continue;
                    }
                    call.Spec = Renumbered(call.Spec, ++call.Caller.Sequence, Incarnation);
                    Track(call);
                }
            }
        }
        foreach (var (call, error) in failed)
            call.Result.TrySetResult(ObjectPayload.Failed(_worker.Serializer.ToRemoteError(error, $"actor {Actor.Id}")));
    }

    /// <summary>Every unfinished call, each caller's in its order. Under the gate.</summary>
    private ActorCall[] Unfinished() =>
        [.. _callers.Values.SelectMany(caller => caller.Unfinished.Values.OrderBy(c => c.Spec.Sequence))];

    // Calls answered under the new numbering are none yet: AnsweredThrough stays 0 (the host forgets nothing early).
    private static ActorCallSpec Renumbered(ActorCallSpec spec, long sequence, int incarnation) => new()
    {
        ActorId = spec.ActorId, CallerId = spec.CallerId, Sequence = sequence, Incarnation = incarnation, Method = spec.Method, Args = spec.Args,
        ResultId = spec.ResultId, Owner = spec.Owner, Job = spec.Job, FailedDependency = spec.FailedDependency, Borrowed = spec.Borrowed,
        Retry = spec.Retry, ConcurrencyGroup = spec.ConcurrencyGroup, Stream = spec.Stream,
    };
}
