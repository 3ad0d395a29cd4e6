using System.Runtime.InteropServices;
using Grid.Grains;
using Grid.ObjectStore;
using Grid.Serialization;
using Grid.Wire;

namespace Grid.Core;

public sealed partial class CoreWorker
{
    /// <summary>
    /// Large arrays of primitives go straight from the array into the local store's file: one pass counts the
    /// serialized size (a raw copy through a small buffer), a second streams the bytes into the object. The general
    /// path would build a byte[] of the object's size twice over (growing buffer, then ToArray) in fresh memory,
    /// whose page faults cost more than the copies (put went from 0.1 to several GB/s). Everything else, small
    /// values included, takes the general path unchanged.
    /// </summary>
    private bool TryStoreLargeArray(ObjectId id, object? value, Type type, out ObjectPayload payload)
    {
        payload = null!;
        if (LocalStore is not { } store || LocalNode is not { } node || !IsLargePrimitiveArray(value, out var array)) return false;
        Span<byte> header = stackalloc byte[GridSerializer.RawArrayHeaderMax];
        if (Serializer.TryWriteRawArrayHeader(value, type, header, out var headerLength))
        {
            // Declared as its own type: a header and the elements' memory, written from the array itself (one copy).
            var elements = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), Buffer.ByteLength(array));
            store.Put(id, header[..headerLength], elements);
            payload = ObjectPayload.StoredAt(node, headerLength + elements.Length);
            return true;
        }
        var size = LocalObjectStore.Measure(output => Serializer.Serialize(value, type, output));
        store.Put(id, size, output => Serializer.Serialize(value, type, output));
        payload = ObjectPayload.StoredAt(node, size);
        return true;
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
        if (!IsLargePrimitiveArray(value, out var array)) return null;
        var header = new byte[GridSerializer.RawArrayHeaderMax];
        if (!Serializer.TryWriteRawArrayHeader(value, type, header, out var headerLength)) return null;
        var elements = new ArrayBytes(array).Memory;
        var target = Selector.Pick();
        await Puller.PushAsync(id, target, header.AsMemory(0, headerLength), elements, cancellationToken).ConfigureAwait(false);
        await Grains.GetGrain<IObjectStoreGrain>(target.Value).SetOwner(id, owner.ToString()).ConfigureAwait(false);
        return ObjectPayload.StoredAt(target, headerLength + elements.Length);
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
        var target = Selector.Pick();
        await Puller.PushSerializedAsync(id, target, size, output => Serializer.Serialize(value, type, output), cancellationToken).ConfigureAwait(false);
        await Grains.GetGrain<IObjectStoreGrain>(target.Value).SetOwner(id, owner.ToString()).ConfigureAwait(false);
        return ObjectPayload.StoredAt(target, size).WithContained(contained);
    }

    private static ObjectRefData[]? Contained(List<ObjectRef> scratch)
    {
        if (scratch.Count == 0) return null;
        var contained = scratch.Select(r => r.ToData()).DistinctBy(r => r.Id).ToArray();
        scratch.Clear();
        return contained;
    }
}
