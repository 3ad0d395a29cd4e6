using Grid.Wire;

namespace Grid.Grains;

/// <summary>Hosts one actor instance, keyed by the actor id; stays active until killed.</summary>
public interface IActorHostGrain : IGrainWithStringKey
{
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task Create(ActorCreationSpec spec);

    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> Call(ActorCallSpec call);

    Task Kill(string reason);
}
