namespace Grid.ObjectStore;

/// <summary>
/// The network path: the TCP transfer channel first (several connections, chunks verified by checksum, written
/// into the destination by the caller's sink), and the chunked grain calls when the source's channel cannot be
/// reached. Orleans messages move about 0.2 GB/s of 1 MiB byte[]s here; the channel is limited by the sockets.
/// </summary>
internal sealed partial class ObjectManager
{
    private async Task ReadOverNetworkAsync(Grid.Grains.IObjectStoreGrain grain, NodeId source, ObjectId id, long size, string transfer, ChunkSink sink, CancellationToken ct)
    {
        if (size == 0) return;
        var tags = new[] { new KeyValuePair<string, object?>("grid.transfer", transfer), new KeyValuePair<string, object?>("grid.path", "network") };
        var reason = await _network.TryReadAsync(source, id, size, sink, bytes => AddPulled(bytes, tags), ct).ConfigureAwait(false);
        if (reason is null) return;
        if (_network.Enabled) Log.TransferFallback(_logger, source, id, reason);
        await ReadChunksAsync(grain, source, id, size, transfer, (offset, chunk) => sink(offset, chunk), ct).ConfigureAwait(false);
    }
}
