using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// The owner endpoint of a process (Ray's core worker address): answers what became of the objects
/// it owns. Silos expose it as a pinned grain, clients as an observer.
/// </summary>
internal interface IObjectOwner : IAddressable
{
    /// <summary>The object's payload, once it is ready.</summary>
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> GetObject(ObjectId id);

    /// <summary>
    /// A reader could read no copy of the stored object, last known on <paramref name="lostOn"/>: once that node is
    /// confirmed dead, the owner runs the object's task again (lineage reconstruction) and answers with the new payload,
    /// or with an error payload (<see cref="ObjectLostException"/>) when it cannot be rebuilt.
    /// </summary>
    [ResponseTimeout(GridTimeouts.LongCall)]
    Task<ObjectPayload> RebuildObject(ObjectId id, NodeId lostOn);

    /// <summary>
    /// <paramref name="borrower"/> (a process's owner endpoint) now holds refs to the object: it stays alive until as
    /// many <see cref="RemoveBorrower"/> calls arrive. No-op when the object is gone.
    /// </summary>
    Task AddBorrower(ObjectId id, GrainId borrower);

    /// <summary>The borrower dropped its last ref (or the object that contained it was freed).</summary>
    [OneWay] Task RemoveBorrower(ObjectId id, GrainId borrower);

    /// <summary>The owner's reference counts of the objects it still owns among <paramref name="ids"/>.</summary>
    Task<ReferenceCounts[]> GetReferenceCounts(ObjectId[] ids);
}

/// <summary>A client process's owner endpoint (an Orleans observer).</summary>
internal interface IClientOwner : IObjectOwner, IGrainObserver;

/// <summary>A silo's owner endpoint, pinned to the silo and keyed by its node id.</summary>
internal interface INodeOwnerGrain : IObjectOwner, IGrainWithStringKey;
