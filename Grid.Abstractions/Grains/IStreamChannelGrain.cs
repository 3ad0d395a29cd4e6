using Grid.Wire;

namespace Grid.Grains;

/// <summary>
/// One stream's channel (Ray's ObjectRefGenerator plumbing), keyed by the stream task's id: the producing node reports
/// items to it, the consumer (the task's owner) takes them with long polls and acknowledges what it took, which is what
/// backpressure counts. Both sides call it, so a client owner needs no call from a silo (see
/// <see cref="IOwnerMailboxGrain"/> for why those are avoided). Indices make every call idempotent: a producer run again
/// after its node died reports from where the channel stands, and a fresh channel (its node died) learns the
/// consumer's place from its next take and drops what the consumer already has.
/// </summary>
internal interface IStreamChannelGrain : IGrainWithStringKey
{
    /// <summary>A producer attempt starts: returns how many items it must skip (reported by an earlier attempt or already taken).</summary>
    Task<int> Open();

    /// <summary>
    /// Items are ready (each kept unless the channel holds it or the consumer took it). Answers once the consumer has
    /// taken every item before <paramref name="needTaken"/> (at once when it has, or when it is 0 or less), when the
    /// consumer dropped the stream, or after <paramref name="wait"/>: the producer sends the next items, or asks again.
    /// </summary>
    Task<StreamReply> Report(StreamItem[] items, int needTaken, TimeSpan wait);

    /// <summary>The last items, and the end: the producer ended after <see cref="StreamEnd.Count"/> items (with its error, if it failed).</summary>
    Task<StreamReply> Finish(StreamItem[] items, StreamEnd end);

    /// <summary>Producer side: true once the consumer dropped the stream; false when the stream finished or <paramref name="wait"/> ran out.</summary>
    Task<bool> WhenCancelled(TimeSpan wait);

    /// <summary>
    /// The consumer took every item before <paramref name="from"/>; returns the items held from there on, in order, and
    /// the end when they reach it, waiting up to <paramref name="wait"/> for something to return.
    /// </summary>
    Task<StreamBatch> Take(int from, TimeSpan wait);

    /// <summary>The consumer took every item before <paramref name="taken"/> (for backpressure, between takes).</summary>
    [OneWay] Task Acknowledge(int taken);

    /// <summary>The consumer dropped the stream: the producer is told to stop; returns the items it never took (for freeing).</summary>
    Task<StreamItem[]> Cancel();
}
