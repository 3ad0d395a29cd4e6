using System.Diagnostics;

namespace Grid.ObjectStore;

internal sealed partial class ObjectManager
{
    /// <summary>
    /// Reads object <paramref name="id"/> from <paramref name="source"/> into a new array, chunk by chunk: for
    /// processes without a local store (remote clients). <paramref name="size"/> &lt; 0: ask the source.
    /// </summary>
    public async Task<byte[]> FetchAsync(ObjectId id, NodeId source, long size, CancellationToken ct = default)
    {
        if (_store is not null && _store.TryGet(id, out var local))
        {
            using (local) return local.Memory.ToArray();
        }
        var started = Stopwatch.GetTimestamp();
        var grain = StoreOf(source);
        if (size < 0) size = await SizeOnAsync(grain, id, source).ConfigureAwait(false);
        if (size > Array.MaxLength)
            throw new NotSupportedException($"Object {id} is {size} bytes; FetchAsync returns a byte[], of at most {Array.MaxLength} bytes.");

        byte[] result;
        if (size <= _options.ChunkSize)
        {
            // One chunk: the array the call returned is the result, no copy.
            result = size == 0 ? [] : await grain.ReadChunk(id, 0, (int)size).ConfigureAwait(false);
            CheckChunk(source, id, 0, (int)size, result);
            AddPulled(size, new KeyValuePair<string, object?>("grid.transfer", "fetch"));
        }
        else
        {
            var buffer = GC.AllocateUninitializedArray<byte>((int)size);
            var locator = await LocateOnThisHostAsync(grain, id, size).ConfigureAwait(false);
            if (locator is null || !TryCopyFromSameHost(locator, id, buffer, "fetch", ct))
                await ReadOverNetworkAsync(grain, source, id, size, "fetch", (offset, chunk) => chunk.CopyTo(buffer.AsSpan((int)offset)), ct).ConfigureAwait(false);
            result = buffer;
        }
        Log.Fetched(_logger, id, size, source, Milliseconds(started));
        return result;
    }
}
