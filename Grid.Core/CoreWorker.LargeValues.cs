using System.Runtime.InteropServices;
using Grid.Grains;
using Grid.ObjectStore;
using Grid.Serialization;
using Grid.Wire;

namespace Grid.Core;

internal sealed partial class CoreWorker
{
    /// <summary>
    /// Large arrays of primitives, and large raw values without refs (tensors), go straight from the value into the
    /// local store's file: their header, then their memory as it lies (one copy); a raw value that cannot be split so
    /// (a tensor on a GPU) is measured by one pass (a raw copy through a small buffer), and a second streams the bytes
    /// into the object. The general path would build a byte[] of the object's size twice over (growing buffer, then
    /// ToArray) in fresh memory, whose page faults cost more than the copies (put went from 0.1 to several GB/s).
    /// Everything else, small values included, takes the general path unchanged.
    /// </summary>
    private bool TryStoreLargeArray(ObjectId id, object? value, Type type, out ObjectPayload payload)
    {
        payload = null!;
        if (LocalStore is not { } store || LocalNode is not { } node) return false;
        bool isArray = IsLargePrimitiveArray(value, out var array);
        if (!isArray && !GridSerializer.IsLargeRawValue(value, InlineThreshold)) return false;
        if (AlreadyStored(store, node, id, out payload)) return true;
        Span<byte> header = stackalloc byte[GridSerializer.RawArrayHeaderMax];
        if (isArray && Serializer.TryWriteRawArrayHeader(value, type, header, out var headerLength))
        {
            // Declared as its own type: a header and the elements' memory, written from the array itself (one copy).
            var elements = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array!), Buffer.ByteLength(array!));
            store.Put(id, header[..headerLength], elements);
            payload = ObjectPayload.StoredAt(node, headerLength + elements.Length);
            return true;
        }
        if (!isArray && Serializer.TrySplitRawValue(value, type, out var prefix, out var block, out var keepAlive))
        {
            // A raw value (a tensor): the bytes before its block, then the block from where it lies (one copy).
            using (keepAlive) store.Put(id, prefix, block.Span);
            payload = ObjectPayload.StoredAt(node, prefix.Length + block.Length);
            return true;
        }
        var size = LocalObjectStore.Measure(output => Serializer.Serialize(value, type, output));
        store.Put(id, size, output => Serializer.Serialize(value, type, output));
        payload = ObjectPayload.StoredAt(node, size);
        return true;
    }

    /// <summary>
    /// Only a task's result id can already be in this node's store (puts take fresh ids): the same task ran again here,
    /// its first answer lost with a gateway, or rebuilt from lineage. A task's result is its result: the first is kept.
    /// </summary>
    private static bool AlreadyStored(LocalObjectStore store, NodeId node, ObjectId id, out ObjectPayload payload)
    {
        payload = store.TryGetSealedSize(id, out var size) ? ObjectPayload.StoredAt(node, size) : null!;
        return payload is not null;
    }

    /// <summary>An array of primitives too large to travel inline: its elements can be written from the array itself.</summary>
    private bool IsLargePrimitiveArray(object? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Array? array)
    {
        array = value as Array;
        return array is not null && array.GetType().GetElementType() is { IsPrimitive: true } && Buffer.ByteLength(array) > InlineThreshold;
    }

    /// <summary>
    /// A remote client's large array of primitives goes into a node's store from the array itself: straight into the
    /// object's file when the node runs on this machine, else in chunks sliced from the array. The general path would
    /// first build the serialized value in a byte[] of the object's size (twice over, growing then trimmed). Null: not
    /// such an array, take the general path.
    /// </summary>
    private async ValueTask<ObjectPayload?> TryPushLargeArrayAsync(ObjectId id, object? value, Type type, GrainId owner, CancellationToken cancellationToken)
    {
        if (!IsLargePrimitiveArray(value, out var array))
            return GridSerializer.IsLargeRawValue(value, InlineThreshold) ? await TryPushRawValueAsync(id, value, type, owner, cancellationToken).ConfigureAwait(false) : null;
        var header = new byte[GridSerializer.RawArrayHeaderMax];
        if (!Serializer.TryWriteRawArrayHeader(value, type, header, out var headerLength)) return null;
        var elements = new ArrayBytes(array).Memory;
        var target = await PushToLiveNodeAsync(id, owner, node => Objects.PushAsync(id, node, header.AsMemory(0, headerLength), elements, cancellationToken)).ConfigureAwait(false);
        return ObjectPayload.StoredAt(target, headerLength + elements.Length);
    }

    /// <summary>A remote client's large raw value (a tensor) goes into a node's store as a large array does: the bytes before its block, then the block from where it lies.</summary>
    private async ValueTask<ObjectPayload?> TryPushRawValueAsync(ObjectId id, object? value, Type type, GrainId owner, CancellationToken cancellationToken)
    {
        if (!Serializer.TrySplitRawValue(value, type, out var header, out var block, out var keepAlive)) return null;
        using (keepAlive)
        {
            var target = await PushToLiveNodeAsync(id, owner, node => Objects.PushAsync(id, node, header, block, cancellationToken)).ConfigureAwait(false);
            return ObjectPayload.StoredAt(target, header.Length + block.Length);
        }
    }

    /// <summary>
    /// A value put by a process without a store (a remote client). Small values are serialized once, into a buffer
    /// bounded by the inline threshold, and travel inline. A larger one is measured (a counting pass, which also
    /// finds the refs inside it) and then serialized straight into the target node's object, chunk by chunk: no
    /// byte[] of the object's size is built here.
    /// </summary>
    private async ValueTask<ObjectPayload> StoreRemotelyAsync(ObjectId id, object? value, Type type, GrainId owner, CancellationToken cancellationToken)
    {
        var scratch = t_nestedScratch ??= [];
        scratch.Clear();
        bool small;
        byte[]? bytes;
        using (NestedRefCollector.Begin(scratch)) small = Serializer.TrySerializeWithin(value, type, InlineThreshold, out bytes);
        if (small)
        {
            var inline = Contained(scratch);
            if (inline is not null) await _references.HoldContainedAsync(inline, owner).ConfigureAwait(false);
            return ObjectPayload.InlineBytes(bytes!).WithContained(inline);
        }
        scratch.Clear(); // the bounded pass stopped part way: count again, refs included
        return await StreamRemotelyAsync(id, value, type, owner, scratch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The large case of <see cref="StoreRemotelyAsync"/>, apart so that small puts allocate no closure.</summary>
    private async ValueTask<ObjectPayload> StreamRemotelyAsync(ObjectId id, object? value, Type type, GrainId owner, List<ObjectRef> scratch, CancellationToken cancellationToken)
    {
        long size;
        using (NestedRefCollector.Begin(scratch)) size = LocalObjectStore.Measure(output => Serializer.Serialize(value, type, output));
        var contained = Contained(scratch);
        if (contained is not null) await _references.HoldContainedAsync(contained, owner).ConfigureAwait(false);
        var target = await PushToLiveNodeAsync(id, owner, node => Objects.PushSerializedAsync(id, node, size, output => Serializer.Serialize(value, type, output), cancellationToken)).ConfigureAwait(false);
        return ObjectPayload.StoredAt(target, size).WithContained(contained);
    }

    /// <summary>
    /// Puts a value already serialized (larger than the inline threshold): into this node's store, or, from a remote
    /// client, pushed in chunks into a node's store. The object is recorded as <paramref name="owner"/>'s.
    /// </summary>
    private async ValueTask<ObjectPayload> StoreSerializedAsync(ObjectId id, byte[] bytes, GrainId owner, CancellationToken cancellationToken)
    {
        if (LocalStore is { } store && LocalNode is { } node)
        {
            if (AlreadyStored(store, node, id, out var existing)) return existing;
            store.Put(id, bytes);
            store.SetOwner(id, owner.ToString());
            return ObjectPayload.StoredAt(node, bytes.Length);
        }
        var target = await PushToLiveNodeAsync(id, owner, node => Objects.PushAsync(id, node, bytes, cancellationToken)).ConfigureAwait(false);
        return ObjectPayload.StoredAt(target, bytes.Length);
    }

    /// <summary>
    /// A remote client's put: <paramref name="push"/> writes the whole object into a live node's store, which then
    /// records its owner. Until both are done the put has not happened, so a node that dies under it (or was already
    /// dead, the view a moment old) loses nothing: the value is pushed whole to another node, never the same one
    /// twice, up to <see cref="MaxPutNodes"/> nodes. The partial object on a dead node died with it; on a live node that
    /// failed (a full store), the pusher has aborted it.
    /// </summary>
    private async Task<NodeId> PushToLiveNodeAsync(ObjectId id, GrainId owner, Func<NodeId, Task> push)
    {
        List<NodeId>? failed = null;
        while (true)
        {
            var target = Selector.Pick(failed);
            var attempt = PushAndRecordAsync(target);
            try
            {
                await CallNodeAsync(target, attempt).ConfigureAwait(false);
                return target;
            }
            catch (Exception e) when ((FailureClassifier.IsNodeFailure(e) || e is CallInterruptedException) && (failed?.Count ?? 0) < MaxPutNodes - 1
                                      && !(failed?.Contains(target) ?? false))
            {
                (failed ??= []).Add(target);
                // Cut off by another node's death (its gateway), the push may still land on this live node: the copy
                // that wins is the one pushed next, so a late one here is deleted, not left for nobody to free.
                if (e is CallInterruptedException) _ = DeleteIfLandedAsync(target, attempt);
                await RefreshViewAsync().ConfigureAwait(false);
            }
        }

        async Task DeleteIfLandedAsync(NodeId node, Task<bool> late)
        {
            try
            {
                await late.ConfigureAwait(false);
                await Grains.GetGrain<IObjectStoreGrain>(node.Value).Delete(id).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // It did not land (or the node is gone with it): nothing to delete.
            }
        }

        async Task<bool> PushAndRecordAsync(NodeId target)
        {
            await push(target).ConfigureAwait(false);
            await Grains.GetGrain<IObjectStoreGrain>(target.Value).SetOwner(id, owner.ToString()).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>Nodes a remote client's put tries before its failure is the caller's.</summary>
    private const int MaxPutNodes = 3;

    /// <summary>
    /// Ray's large arguments: a by-value argument above the inline threshold (<paramref name="serialized"/>, or a
    /// large array of primitives, null here, which the put writes from the array itself) is put into the object store
    /// through the put path, as a ref this process owns, and travels as that ref. The task receives its value as it
    /// would the inline bytes: same declared type, so the same deserialization (and a <see cref="ReadOnlyMemory{T}"/>
    /// parameter gets a zero-copy view). The ref is held only by the call's argument pin (see PinArguments), so the
    /// object is freed when the call ends. Inside a node the put is done before this returns; a remote client pushes
    /// in the background, and the call waits for it as for any owned ref argument (DependencyResolver). A put
    /// that fails (a full store, a dead node) fails the call with that error.
    /// </summary>
    private TaskArg PutLargeArgument(object? value, Type type, byte[]? serialized)
    {
        var id = ObjectId.New();
        var entry = Owned.AddPending(id);
        ArgumentsPut.Add(1);
        _ = CompleteArgumentPutAsync(entry.Payload, serialized is null
            ? StoreValueAsync(id, value, type)
            : StoreSerializedAsync(id, serialized, OwnerAddress, CancellationToken.None));
        return TaskArg.Reference(new ObjectRefData(id, OwnerAddress));
    }

    private async Task CompleteArgumentPutAsync(TaskCompletionSource<ObjectPayload> payload, ValueTask<ObjectPayload> put)
    {
        try
        {
            payload.TrySetResult(await put.ConfigureAwait(false));
        }
        catch (Exception e)
        {
            payload.TrySetResult(ObjectPayload.Failed(Serializer.ToRemoteError(e, "putting a large argument into the object store")));
        }
    }

    private static readonly System.Diagnostics.Metrics.Counter<long> ArgumentsPut = Meter.CreateCounter<long>("grid.arguments.put",
        description: "By-value arguments too large to travel inline, put into the object store and passed by reference");

    private static ObjectRefData[]? Contained(List<ObjectRef> scratch)
    {
        if (scratch.Count == 0) return null;
        var contained = scratch.Select(r => r.ToData()).DistinctBy(r => r.Id).ToArray();
        scratch.Clear();
        return contained;
    }
}
