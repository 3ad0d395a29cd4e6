using Grid.Wire;

namespace Grid.Grains;

/// <summary>Hosts one actor instance, keyed by the actor id; stays active until killed.</summary>
public interface IActorHostGrain : IGrainWithStringKey
{
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task Create(ActorCreationSpec spec);

    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> Call(ActorCallSpec call);

    /// <summary>
    /// A burst of one caller's calls in one message: each runs exactly as <see cref="Call"/> would (in
    /// the caller's sequence order), and each result streams back as soon as its call finishes.
    /// <see cref="TaskOutcome.Index"/> is the call's index in <paramref name="calls"/>.
    /// </summary>
    IAsyncEnumerable<TaskOutcome> CallMany(ActorCallSpec[] calls);

    Task Kill(string reason);
}
