using System.Buffers;
using System.Diagnostics;
using Grid.Grains;

namespace Grid.ObjectStore;

/// <summary>
/// Pushing a new object into another node's store: how processes without a store (remote clients) put large values.
/// The node creates and accounts the object; this side only fills it, straight into its file when the node runs on
/// this machine (see ObjectManager.SameHostWrite.cs), else in chunks over the transfer channel or grain calls, taken
/// from the caller's memory as they go (nothing of the object's size is staged here).
/// </summary>
internal sealed partial class ObjectManager
{
    /// <summary>Writes <paramref name="data"/> as object <paramref name="id"/> into <paramref name="target"/>'s store.</summary>
    public Task PushAsync(ObjectId id, NodeId target, ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        PushAsync(id, target, ReadOnlyMemory<byte>.Empty, data, ct);

    /// <summary>
    /// Writes <paramref name="header"/> then <paramref name="body"/> as object <paramref name="id"/> into
    /// <paramref name="target"/>'s store (create, fill, seal): a raw array's header and elements go from where they
    /// are, with no copy joining them. On failure the unsealed object is aborted there, so no partial object is ever
    /// sealed or left behind.
    /// </summary>
    public Task PushAsync(ObjectId id, NodeId target, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> body, CancellationToken ct = default) =>
        CreateFillSealAsync(id, target, (long)header.Length + body.Length, async (grain, locator) =>
        {
            if (locator is null || !TryWriteOnThisHost(locator, target, id, header.Span, body.Span))
            {
                await WritePartAsync(grain, target, id, 0, header, ct).ConfigureAwait(false);
                await WritePartAsync(grain, target, id, header.Length, body, ct).ConfigureAwait(false);
            }
        });

    /// <summary>
    /// Creates object <paramref name="id"/> of <paramref name="size"/> bytes in <paramref name="target"/>'s store and
    /// fills it with what <paramref name="fill"/> writes (a value being serialized), seal included: into the node's
    /// file when it runs on this machine, else in chunks sent as they fill, a few in flight. Nothing of the object's
    /// size is held here. <paramref name="fill"/> must write exactly <paramref name="size"/> bytes (else the object is
    /// aborted and <see cref="InvalidOperationException"/> thrown); it runs on a thread-pool thread.
    /// </summary>
    public Task PushSerializedAsync(ObjectId id, NodeId target, long size, Action<IBufferWriter<byte>> fill, CancellationToken ct = default) =>
        CreateFillSealAsync(id, target, size, async (grain, locator) =>
        {
            var written = locator is not null ? TryFillOnThisHost(locator, target, id, size, fill) : null;
            written ??= await FillInChunksAsync(grain, target, id, size, fill, ct).ConfigureAwait(false);
            if (written != size)
                throw new InvalidOperationException($"Object {id} was measured at {size} bytes, but {written} were written; was the value changed while it was being stored?");
        });

    /// <summary>
    /// Has the node create the object (handing back its file when this process may write it directly), fills it, and
    /// seals it. We created it, so on any failure the partial object is ours to drop: Abort never removes a sealed
    /// object (a seal whose reply was lost). The original failure is what the caller sees.
    /// </summary>
    private async Task CreateFillSealAsync(ObjectId id, NodeId target, long size, Func<IObjectStoreGrain, Grid.Wire.ObjectLocator?, Task> fill)
    {
        var started = Stopwatch.GetTimestamp();
        var grain = StoreOf(target);
        var locator = await grain.CreateForWriter(id, size, _options.AllowSameHostWrites ? HostIdentity.Current : null).ConfigureAwait(false);
        try
        {
            await fill(grain, locator).ConfigureAwait(false);
            await grain.Seal(id).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await grain.Abort(id).ConfigureAwait(false);
            }
            catch (Exception cleanup)
            {
                Log.PushCleanupFailed(_logger, cleanup, id, target);
            }
            throw;
        }
        Log.Pushed(_logger, id, size, target, Milliseconds(started));
    }

    /// <summary>
    /// Serializes into chunks on a thread-pool thread, sending each (transfer channel, else a grain call) while the
    /// next fills, with at most MaxChunksInFlight chunks held. Returns the bytes written.
    /// </summary>
    private async Task<long> FillInChunksAsync(IObjectStoreGrain grain, NodeId target, ObjectId id, long size, Action<IBufferWriter<byte>> fill, CancellationToken ct)
    {
        using var inFlight = new SemaphoreSlim(_options.MaxChunksInFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sends = new List<Task>();
        long written = 0;
        Exception? fillFailure = null;
        try
        {
            written = await Task.Run(() =>
            {
                using var output = new ChunkingOutput((int)Math.Min(_options.ChunkSize, Math.Max(1, size)), (offset, bytes) =>
                {
                    inFlight.Wait(stop.Token); // a failed send cancels this: the fill stops at once
                    if (offset + bytes.Length > size)
                    {
                        inFlight.Release();
                        throw new InvalidOperationException($"Object {id} was measured at {size} bytes, but more are being written; was the value changed while it was being stored?");
                    }
                    var chunk = bytes.ToArray(); // the wire takes a byte[]; one chunk per send in flight
                    lock (sends) sends.Add(SendChunkAsync(grain, target, id, offset, chunk, inFlight, stop));
                });
                fill(output);
                output.Flush();
                return output.Written;
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            fillFailure = e;
            await stop.CancelAsync().ConfigureAwait(false);
        }
        // Every send has finished before this returns, so an abort after a failure races no write.
        Task[] all;
        lock (sends) all = [.. sends];
        try
        {
            await Task.WhenAll(all).ConfigureAwait(false);
        }
        catch when (fillFailure is not null and not OperationCanceledException)
        {
            // The sends were cancelled because the fill failed: the fill's failure is the one to report.
        }
        // A fill cancelled because a send failed reports that send's failure (thrown above); otherwise the fill's own.
        if (fillFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fillFailure).Throw();
        return written;
    }

    private async Task SendChunkAsync(IObjectStoreGrain grain, NodeId target, ObjectId id, long offset, byte[] chunk, SemaphoreSlim inFlight, CancellationTokenSource stop)
    {
        try
        {
            var reason = await _network.TryWriteAsync(target, id, offset, chunk, length => AddPushed(length, new KeyValuePair<string, object?>("grid.path", "network")), stop.Token).ConfigureAwait(false);
            if (reason is null) return;
            await grain.WriteChunk(id, offset, chunk).ConfigureAwait(false);
            AddPushed(chunk.Length, new KeyValuePair<string, object?>("grid.path", "grain-calls"));
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>Writes <paramref name="part"/> at <paramref name="at"/>: the transfer channel first, grain calls when it cannot be reached.</summary>
    private async Task WritePartAsync(IObjectStoreGrain grain, NodeId target, ObjectId id, long at, ReadOnlyMemory<byte> part, CancellationToken ct)
    {
        if (part.IsEmpty) return;
        // A part within one chunk (a raw array's header, a small value): one call, no connections to open.
        if (part.Length <= _options.ChunkSize)
        {
            await grain.WriteChunk(id, at, part.ToArray()).ConfigureAwait(false);
            AddPushed(part.Length, new KeyValuePair<string, object?>("grid.path", "grain-calls"));
            return;
        }
        var reason = await _network.TryWriteAsync(target, id, at, part, length => AddPushed(length, new KeyValuePair<string, object?>("grid.path", "network")), ct).ConfigureAwait(false);
        if (reason is null) return;
        if (_network.Enabled) Log.TransferFallback(_logger, target, id, reason);
        await Plan(part.Length).RunAsync(async (offset, length, token) =>
        {
            // The grain contract takes a byte[]: one chunk-sized copy per call in flight is the price of the wire type.
            await grain.WriteChunk(id, at + offset, part.Slice((int)offset, length).ToArray()).ConfigureAwait(false);
            AddPushed(length, new KeyValuePair<string, object?>("grid.path", "grain-calls"));
        }, ct).ConfigureAwait(false);
    }
}
