using Grid.ObjectStore;
using Grid.Wire;

namespace Grid.Core;

/// <summary>Reading stored objects: leases on the local store, held only while a value is being read.</summary>
public sealed partial class CoreWorker
{
    /// <summary>
    /// Deserializes a stored object from a lease on the local copy (pulled here first when another node has it),
    /// releasing the lease once the value is built: a zero-copy view inside the value (a
    /// <see cref="ReadOnlyMemory{T}"/> of an unmanaged T) pins the memory on its own, for as long as the view is
    /// reachable. So an object nobody reads any more holds no lease, and may spill. Processes without a store
    /// (remote clients) fetch the bytes into an array.
    /// </summary>
    internal async ValueTask<object?> MaterializeStoredAsync(ObjectPayload payload, Type type, ObjectId id, CancellationToken cancellationToken)
    {
        if (LocalStore is null)
            return Serializer.Deserialize(await Puller.FetchAsync(id, payload.Node, payload.Size, cancellationToken).ConfigureAwait(false), type, this);
        using var lease = await LeaseStoredAsync(id, payload, cancellationToken).ConfigureAwait(false);
        return Serializer.Deserialize(lease.Memory, type, this);
    }

    /// <summary>A lease on the local copy of a stored object, pulled here first if need be. Dispose it.</summary>
    public async ValueTask<StoredObject> LeaseStoredAsync(ObjectId id, ObjectPayload payload, CancellationToken cancellationToken)
    {
        var store = LocalStore ?? throw new InvalidOperationException("This process has no object store; read stored objects with MaterializeAsync.");
        if (store.TryGet(id, out var local)) return local;
        return await Puller.PullAsync(id, payload.Node, payload.Size, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes a stored object local without reading it (a task's argument, before the task is admitted).</summary>
    public async ValueTask PrefetchStoredAsync(ObjectId id, ObjectPayload payload, CancellationToken cancellationToken)
    {
        if (LocalStore is null) return;
        using var lease = await LeaseStoredAsync(id, payload, cancellationToken).ConfigureAwait(false);
    }
}
