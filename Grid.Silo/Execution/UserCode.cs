using Grid.Functions;
using Grid.Wire;

namespace Grid.Silo.Execution;

/// <summary>
/// Runs user code — a task's function or an actor's method — and turns its outcome into the payload its caller
/// gets: the stored result, or the error it raised, said with where it ran. Tasks and actor calls go through this
/// one path, so both keep their arguments alive, register the refs they borrowed, report errors and retry alike.
/// </summary>
/// <remarks>
/// The retry contract for application exceptions (Ray's <c>retry_exceptions</c>) lives here, the one place both
/// kinds of work run: a run whose code throws an exception its <see cref="RetryPolicy"/> retries, while attempts are
/// left, runs again at once, here, with the same arguments, holding what the first run held (its task's resources,
/// its actor call's turn: a retried call keeps its place in its caller's order, and the next call starts only after
/// it). Only the last run's outcome reaches the caller: the result of the run that succeeded, or the last exception,
/// said exactly as an unretried failure. Attempts count on from the one the work arrived with (a task's node-death
/// resubmits, counted by its owner's submitter, which alone can see a node die), so one MaxRetries budget bounds both.
/// Each retry is logged and recorded as a task event of kind Retried, and the user's code sees its attempt in
/// <see cref="GridContext.Attempt"/>. Retrying on the node rather than at the owner costs no round trip and no new
/// scheduling, and needs no resend protocol for actor calls, whose order the owner would otherwise have to keep.
/// </remarks>
internal static class UserCode
{
    /// <param name="target">The actor's instance; null for a task's (static) function.</param>
    /// <param name="owner">The owner of the result (the submitter or caller): it holds the refs the result contains.</param>
    /// <param name="context">
    /// A task's GridContext, set for the run and cleared after it. Null for an actor's method: the actor's execution
    /// context carries its GridContext already.
    /// </param>
    /// <param name="retry">How the run is retried when it throws; default: never.</param>
    /// <param name="numReturns">From 1 on, the result is split into that many objects (see <see cref="MultipleReturns"/>).</param>
    /// <param name="stream">Set when the work is called as a stream: the sequence it returns is produced item by item (see <see cref="StreamProducer"/>).</param>
    /// <returns>A ValueTask, so that a method that completes at once (most actor calls) costs no task.</returns>
    public static async ValueTask<ObjectPayload> RunAsync(Core.CoreWorker worker, RemoteMethod method, object? target, object?[] args,
        ObjectId resultId, GrainId owner, FailureOrigin origin, GridContext? context = null, RetryRun retry = default, int numReturns = 0, StreamSpec? stream = null)
    {
        if (context is not null) GridContext.Set(context);
        var attempt = retry.FirstAttempt;
        try
        {
            while (true)
            {
                try
                {
                    var result = await method.InvokeAsync(target, args).ConfigureAwait(false);
                    if (stream is not null)
                    {
                        var streamed = await StreamProducer.RunAsync(worker, result, method.ResultType, resultId, owner, stream, origin, retry.Abandoned).ConfigureAwait(false);
                        GC.KeepAlive(args);
                        await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
                        return streamed;
                    }
                    // Zero-copy arguments (views of the object store) release their pin when collected; keep them reachable
                    // until the user's code is done, even if it only holds a span taken from one.
                    GC.KeepAlive(args);
                    // Refs the arguments carried are borrowed here now: the owners must know before the reply lets the
                    // caller release them (no-op unless a ref was deserialized).
                    await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
                    if (numReturns > 0) return await MultipleReturns.StoreAsync(worker, resultId, result, method.ResultType, numReturns, owner, origin.Name).ConfigureAwait(false);
                    return await worker.StoreValueAsync(resultId, result, method.ResultType, owner: owner).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    await worker.FlushBorrowRegistrationsAsync().ConfigureAwait(false);
                    // An actor method's policy is its call options' over its attribute's; a task's came whole with it.
                    var policy = target is null ? retry.Policy : RetryPolicy.ForActorCall(retry.Policy, method.ActorMethod);
                    if (policy is null || !policy.Retries(e, attempt) || retry.Abandoned?.Invoke() == true)
                        return ObjectPayload.Failed(worker.Serializer.ToRemoteError(e, origin.ToString()));
                    attempt++;
                    retry.Events?.Retrying(resultId, retry.Job, origin, attempt, policy.MaxRetries ?? RetryPolicy.DefaultMaxRetries, e);
                    // The next run sees its attempt (an actor's context comes from its flow: a copy replaces it for the run).
                    var current = context ?? GridContext.TryGetCurrent();
                    if (current is not null) GridContext.Set(current.ForAttempt(attempt));
                }
            }
        }
        finally
        {
            if (context is not null) GridContext.Set(null);
        }
    }
}

/// <summary>How <see cref="UserCode"/> retries a run whose code throws (see its remarks).</summary>
/// <param name="Policy">A task's policy, or what an actor call's options set (the method's attribute adds the rest).</param>
/// <param name="FirstAttempt">The attempt this run is: a task's <see cref="TaskSpec.Attempt"/>, 0 for an actor call.</param>
/// <param name="Job">The job of the work, for its task events.</param>
/// <param name="Events">Where retries are recorded.</param>
/// <param name="Abandoned">True when no further run may start (the actor was killed meanwhile).</param>
internal readonly record struct RetryRun(RetryPolicy? Policy, int FirstAttempt, JobId Job, TaskRetryEvents? Events, Func<bool>? Abandoned = null);
