using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grid.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore;

/// <summary>
/// Moves objects between nodes (Ray's object manager, first version) by chunked calls to the source's or target's
/// <see cref="IObjectStoreGrain"/>: pulls into the local store, fetches into a byte[] (processes without a store,
/// such as remote clients), and pushes to another node's store.
/// </summary>
internal sealed partial class ObjectManager : IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly LocalObjectStore? _store;
    private readonly ObjectStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _bytesPulled;
    private readonly Counter<long> _bytesPushed;
    private readonly ConcurrentDictionary<ObjectId, PullOperation> _pulls = new();
    private readonly ObjectTransferClient _network;
    private readonly WriterMappings _writerMappings;

    /// <param name="store">This node's store; null in processes that have none (they can fetch and push, not pull).</param>
    public ObjectManager(IGrainFactory grains, LocalObjectStore? store, IOptions<ObjectStoreOptions> options, ILogger<ObjectManager> logger)
    {
        _grains = grains;
        _store = store;
        _options = options.Value;
        _options.Validate();
        _logger = logger;
        _network = new ObjectTransferClient(grains, _options.Network);
        _writerMappings = new WriterMappings(_options.WriterMappingBytes);
        _meter = new Meter(ObjectStoreMeter.Name);
        _bytesPulled = _meter.CreateCounter<long>(ObjectStoreMeter.BytesPulled, "By", "Bytes read from other nodes' stores");
        _bytesPushed = _meter.CreateCounter<long>(ObjectStoreMeter.BytesPushed, "By", "Bytes written to other nodes' stores");
    }

    public void Dispose()
    {
        _writerMappings.Dispose();
        _meter.Dispose();
    }

    /// <summary>Tags on every measurement of this puller's meter: a silo sets <c>node</c> = its node id as it starts; empty elsewhere.</summary>
    internal KeyValuePair<string, object?>[] MetricTags { get; set; } = [];

    private void AddPulled(long bytes, params ReadOnlySpan<KeyValuePair<string, object?>> tags) => _bytesPulled.Add(bytes, WithNode(tags));

    private void AddPushed(long bytes, params ReadOnlySpan<KeyValuePair<string, object?>> tags) => _bytesPushed.Add(bytes, WithNode(tags));

    private TagList WithNode(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var list = new TagList(tags);
        foreach (var tag in MetricTags) list.Add(tag);
        return list;
    }

    /// <summary>This puller's own meter instance (tests listen to it alone).</summary>
    internal Meter Meter => _meter;

    private ChunkPlan Plan(long size) => new(size, _options.ChunkSize, _options.MaxChunksInFlight);

    private IObjectStoreGrain StoreOf(NodeId node) => _grains.GetGrain<IObjectStoreGrain>(node.Value);

    /// <summary>The object's size on <paramref name="node"/>; <see cref="ObjectLostException"/> when the node does not hold it.</summary>
    private static async Task<long> SizeOnAsync(IObjectStoreGrain grain, ObjectId id, NodeId node)
    {
        var size = await grain.GetSize(id).ConfigureAwait(false);
        return size >= 0 ? size : throw new ObjectLostException($"Node {node} does not hold object {id} (it was deleted there, or never stored).");
    }

    /// <summary>Reads every chunk of the object from <paramref name="grain"/>, handing each to <paramref name="sink"/> with its offset.</summary>
    private Task ReadChunksAsync(IObjectStoreGrain grain, NodeId source, ObjectId id, long size, string transfer, Action<long, byte[]> sink, CancellationToken ct)
    {
        var tags = new[] { new KeyValuePair<string, object?>("grid.transfer", transfer), new KeyValuePair<string, object?>("grid.path", "grain-calls") };
        return Plan(size).RunAsync(async (offset, length, token) =>
        {
            var chunk = await grain.ReadChunk(id, offset, length).ConfigureAwait(false);
            CheckChunk(source, id, offset, length, chunk);
            sink(offset, chunk);
            AddPulled(length, tags);
        }, ct);
    }

    /// <summary>The grain answers an empty array when it does not hold the object (see ObjectStoreGrain.ReadChunk).</summary>
    private static void CheckChunk(NodeId source, ObjectId id, long offset, int length, byte[] chunk)
    {
        if (chunk.Length == length) return;
        if (chunk.Length == 0)
            throw new ObjectLostException($"Node {source} does not hold object {id} (it was deleted there, or never stored).");
        throw new GridException($"Object {id}: asked node {source} for {length} bytes at offset {offset}, got {chunk.Length}; it holds a different object under this id.");
    }

    private static double Milliseconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
