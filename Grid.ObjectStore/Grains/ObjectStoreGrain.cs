using Grid.Grains;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore;

/// <summary>
/// Serves this node's <see cref="LocalObjectStore"/> to other nodes and remote clients. Pinned to the node named
/// by its key; reentrant (and every method interleaves) because calls only touch the thread-safe store, and many
/// chunk reads must be served at once.
/// </summary>
[NodePinnedPlacement, Reentrant]
internal sealed class ObjectStoreGrain(LocalObjectStore store, IOptions<ObjectStoreOptions> options) : Grain, IObjectStoreGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // An activation on the wrong silo would quietly serve another node's store: refuse it (the usual cause is a
        // silo without NodePinnedPlacementDirector registered).
        var key = this.GetPrimaryKeyString();
        var here = GrainContext.Address.SiloAddress;
        if (here is not null && key != here.ToParsableString())
            throw new InvalidOperationException($"The object store grain for node {key} was placed on silo {here.ToParsableString()}; register NodePinnedPlacementDirector for NodePinnedPlacement.");
        return base.OnActivateAsync(cancellationToken);
    }

    public Task<long> GetSize(ObjectId id)
    {
        if (!store.TryGet(id, out var obj)) return Task.FromResult(-1L);
        using (obj) return Task.FromResult(obj.Size);
    }

    public Task<Grid.Wire.ObjectLocator?> Locate(ObjectId id) =>
        Task.FromResult(store.TryLocate(id, out var path, out var size) ? new Grid.Wire.ObjectLocator(HostIdentity.Current, path, size) : null);

    /// <summary>A copy of the range; an empty array when this node does not hold the (sealed) object.</summary>
    public Task<byte[]> ReadChunk(ObjectId id, long offset, int length)
    {
        // Absent: an empty reply, not an exception. Grid's exception types need not be serializable by Orleans,
        // and a short read is unambiguous to the puller, which raises ObjectLostException on its side.
        if (!store.TryGet(id, out var obj)) return Task.FromResult(Array.Empty<byte>());
        using (obj)
        {
            if (offset < 0 || length < 0 || offset > obj.Size - length)
                throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {offset}+{length}) is outside object {id} of {obj.Size} bytes.");
            // A copy: the reply is serialized after this method returns, when the lease may be gone.
            return Task.FromResult(obj.Span.Slice((int)offset, length).ToArray());
        }
    }

    public Task Create(ObjectId id, long size)
    {
        store.CreateForPush(id, size);
        return Task.CompletedTask;
    }

    public Task<Grid.Wire.ObjectLocator?> CreateForWriter(ObjectId id, long size, string? writerHost)
    {
        // Only a writer on this very machine can open the file; an empty object has nothing to write.
        var shared = options.Value.AllowSameHostWrites && size > 0 && writerHost == HostIdentity.Current;
        var path = store.CreateForPush(id, size, externalWriter: shared);
        return Task.FromResult(shared ? new Grid.Wire.ObjectLocator(HostIdentity.Current, path, size) : null);
    }

    public Task<bool> Abort(ObjectId id) => Task.FromResult(store.Abort(id));

    public Task WriteChunk(ObjectId id, long offset, byte[] data)
    {
        store.WriteAt(id, offset, data);
        return Task.CompletedTask;
    }

    public Task Seal(ObjectId id)
    {
        store.Seal(id);
        return Task.CompletedTask;
    }

    public Task Delete(ObjectId id)
    {
        store.Delete(id);
        return Task.CompletedTask;
    }

    public Task SetOwner(ObjectId id, string owner)
    {
        store.SetOwner(id, owner);
        return Task.CompletedTask;
    }

    public Task<Grid.Wire.StoredObjectRecord[]> Describe() =>
        Task.FromResult(store.Describe().Select(o => new Grid.Wire.StoredObjectRecord(o.Id, o.Size, o.Spilled, o.Leases, o.Owner)).ToArray());
}
