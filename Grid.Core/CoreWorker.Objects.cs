using Grid.Core.Diagnostics;
using Grid.ObjectStore;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>Reading stored objects: leases on the local store, held only while a value is being read.</summary>
internal sealed partial class CoreWorker
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
            return Serializer.Deserialize(await FromAnyCopyAsync(id, payload.Node,
                node => Objects.FetchAsync(id, node, payload.Size, cancellationToken)).ConfigureAwait(false), type, this);
        using var lease = await LeaseStoredAsync(id, payload, cancellationToken).ConfigureAwait(false);
        return Serializer.Deserialize(lease.Memory, type, this);
    }

    /// <summary>A lease on the local copy of a stored object, pulled here first if need be. Dispose it.</summary>
    public async ValueTask<StoredObject> LeaseStoredAsync(ObjectId id, ObjectPayload payload, CancellationToken cancellationToken)
    {
        var store = LocalStore ?? throw new InvalidOperationException("This process has no object store; read stored objects with MaterializeAsync.");
        if (store.TryGet(id, out var local)) return local;
        return await FromAnyCopyAsync(id, payload.Node, node => Objects.PullAsync(id, node, payload.Size, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads from the node that stored the object (the owner's record) and, when that copy is gone (its node died),
    /// from another node that holds one, as the GCS object directory lists them.
    /// </summary>
    private async Task<T> FromAnyCopyAsync<T>(ObjectId id, NodeId primary, Func<NodeId, Task<T>> read)
    {
        try
        {
            return await read(primary).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectLostException || FailureClassifier.IsNodeFailure(e))
        {
            var locations = await Grains.GetGrain<Grid.Grains.IGcsGrain>(0).GetObjectLocations(id).ConfigureAwait(false);
            foreach (var node in locations?.Nodes ?? [])
            {
                if (node == primary) continue;
                try { return await read(node).ConfigureAwait(false); }
                catch (Exception other) when (other is ObjectLostException || FailureClassifier.IsNodeFailure(other))
                {
                    CoreLog.CopyGone(_logger, other, id, node);
                }
            }
            throw;
        }
    }

    /// <summary>
    /// Makes a stored object local without reading it (a task's argument, before the task is admitted). Returns the
    /// payload it found: <paramref name="payload"/>, or the one its <paramref name="owner"/> rebuilt when every copy was lost.
    /// </summary>
    public async ValueTask<ObjectPayload> PrefetchStoredAsync(ObjectId id, GrainId owner, ObjectPayload payload, CancellationToken cancellationToken)
    {
        for (var recoveries = 0; LocalStore is not null && payload.Kind == PayloadKind.Stored; recoveries++)
        {
            try
            {
                using var lease = await LeaseStoredAsync(id, payload, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (IsCopyLost(e) && recoveries < MaxRecoveriesPerRead && !cancellationToken.IsCancellationRequested)
            {
                payload = await RecoverLostAsync(id, owner, payload, e).ConfigureAwait(false);
            }
        }
        return payload;
    }
}
