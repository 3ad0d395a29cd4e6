using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The owner endpoint of a process (Ray's core worker address): answers what became of the objects
/// it owns. Silos expose it as a pinned grain, clients as an observer.
/// </summary>
public interface IObjectOwner : IAddressable
{
    /// <summary>The object's payload, once it is ready.</summary>
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> GetObject(ObjectId id);
}

/// <summary>A client process's owner endpoint (an Orleans observer).</summary>
public interface IClientOwner : IObjectOwner, IGrainObserver;

/// <summary>A silo's owner endpoint, pinned to the silo and keyed by its node id.</summary>
public interface INodeOwnerGrain : IObjectOwner, IGrainWithStringKey;
