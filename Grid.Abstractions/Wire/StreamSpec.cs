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

/// <summary>
/// What a producer hears back from the channel: how far the consumer took, whether it dropped the stream, and which
/// activation of the channel answered. A new <see cref="Epoch"/> means the channel's node died and a fresh channel took
/// over, knowing nothing of the items reported before: the producer sends them again (every item the consumer has not
/// taken, as far as it knows).
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct StreamReply([property: Id(0)] int Taken, [property: Id(1)] bool Cancelled, [property: Id(2)] Guid Epoch);
