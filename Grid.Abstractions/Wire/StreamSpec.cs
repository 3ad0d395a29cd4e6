namespace Grid.Wire;

/// <summary>
/// A task or actor call run as a stream (Ray's <c>num_returns="streaming"</c>): the node iterates the sequence the
/// code returns, stores each item as an object of its own (item i gets <c>ObjectId.ForReturn(task, i + 1)</c>; index 0
/// is the task's own result, the item count) and reports it to the stream's channel (<see cref="Grains.IStreamChannelGrain"/>)
/// as it comes.
/// </summary>
/// <param name="Backpressure">
/// The most items produced and not yet taken by the consumer: the producer waits before producing more; 0 or less is
/// unbounded.
/// </param>
[GenerateSerializer, Immutable]
internal sealed record StreamSpec([property: Id(0)] int Backpressure);

/// <summary>Item <see cref="Index"/> (0-based) of a stream, as its producer stored it.</summary>
[GenerateSerializer, Immutable]
internal readonly record struct StreamItem([property: Id(0)] int Index, [property: Id(1)] ObjectPayload Payload);

/// <summary>How a stream ended: after <see cref="Count"/> items, then <see cref="Error"/> as one more item when the producer failed.</summary>
[GenerateSerializer, Immutable]
internal sealed record StreamEnd([property: Id(0)] int Count, [property: Id(1)] ObjectPayload? Error);

/// <summary>What a consumer's take brings: the next items in order, and the end when it follows them.</summary>
[GenerateSerializer, Immutable]
internal sealed record StreamBatch([property: Id(0)] StreamItem[] Items, [property: Id(1)] StreamEnd? End);

/// <summary>What a producer hears back for a reported item.</summary>
internal enum StreamAck : byte
{
    /// <summary>There is room: produce the next item.</summary>
    Next,
    /// <summary>The consumer has not taken enough items yet (the wait ran out): report the same item again to keep waiting.</summary>
    Full,
    /// <summary>The consumer dropped the stream: stop producing.</summary>
    Cancelled,
}
