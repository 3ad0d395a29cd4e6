using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The GCS as grains see it from outside a silo: a stateless worker on every silo that answers from
/// that silo's GCS, so clients need no GCS connection of their own.
/// </summary>
public interface IGcsGrain : IGrainWithIntegerKey
{
    Task<NodeInfo[]> GetNodes();
    /// <summary>Registers an actor; for a named one that exists already, returns the existing actor instead.</summary>
    Task<ActorInfo> RegisterActor(ActorInfo actor);
    Task<ActorInfo?> GetActor(ActorId id);
    Task<ActorInfo?> GetNamedActor(string ns, string name);
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ActorInfo> WaitActorPlaced(ActorId id);
    Task UpdateActor(ActorInfo actor);
}
