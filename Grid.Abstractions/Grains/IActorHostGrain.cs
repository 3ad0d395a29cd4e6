using Grid.Wire;

namespace Grid.Grains;

/// <summary>Hosts one actor instance, keyed by the actor id; stays active until killed.</summary>
internal interface IActorHostGrain : IGrainWithStringKey
{
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task Create(ActorCreationSpec spec);

    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> Call(ActorCallSpec call);

    /// <summary>
    /// A burst of one caller's calls in one message: each runs exactly as <see cref="Call"/> would (in the caller's
    /// sequence order). The answer carries the outcomes ready once the first call finishes; while calls are still
    /// running it names the cursor to pass to <see cref="NextOutcomes"/>, which answers as soon as more finish, so a
    /// slow call never holds back the results of the others. <see cref="TaskOutcome.Index"/> is the call's index in
    /// <paramref name="calls"/>. Plain calls rather than a stream: one round trip for a burst of quick calls, and
    /// sent in the order they were made, like <see cref="Call"/>.
    /// </summary>
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<OutcomeChunk> CallMany(ActorCallSpec[] calls);

    /// <summary>The next outcomes of a batch started by <see cref="CallMany"/>: at least one, or none when the batch is unknown.</summary>
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<OutcomeChunk> NextOutcomes(long cursor);

    Task Kill(string reason);

    /// <summary>
    /// Cancels the call making <paramref name="resultId"/>: one waiting to run is answered TaskCancelledException at once
    /// (one not yet here, or waiting for its turn or arguments, when it comes, still taking its turn); one running sees
    /// its CancellationToken parameter fire and is answered TaskCancelledException when it stops; a running call
    /// without one runs on (as Ray's sync actor tasks do). A finished call is left alone.
    /// </summary>
    [AlwaysInterleave]
    Task CancelCall(ObjectId resultId);

    /// <summary>
    /// Kills this incarnation and, when the actor may restart, builds the next one (its constructor runs again);
    /// otherwise it ends as <see cref="Kill"/> does. Calls held by this incarnation fail as dead.
    /// </summary>
    Task Restart(string reason);
}
