namespace Grid.Wire;

internal enum PayloadKind : byte
{
    /// <summary>The value's bytes travel in the message (small values).</summary>
    Inline,
    /// <summary>The value lives in the object store of <see cref="ObjectPayload.Node"/>.</summary>
    Stored,
    /// <summary>Producing the value failed; <see cref="ObjectPayload.Error"/> says why.</summary>
    Error,
}

/// <summary>What an owner knows of a finished object: its bytes, where it is stored, or its error.</summary>
[GenerateSerializer, Immutable]
internal sealed class ObjectPayload
{
    [Id(0)] public PayloadKind Kind { get; init; }
    [Id(1)] public byte[]? Data { get; init; }
    [Id(2)] public NodeId Node { get; init; }
    [Id(3)] public long Size { get; init; }
    [Id(4)] public RemoteError? Error { get; init; }
    /// <summary>
    /// Refs nested inside the value. The object's owner holds them (as a borrower registered with their owners)
    /// until it frees this object.
    /// </summary>
    [Id(5)] public ObjectRefData[]? Contained { get; init; }
    /// <summary>
    /// The outcome of a task with several returns (<see cref="TaskSpec.NumReturns"/>): each return's own payload, in
    /// order. The outcome itself only carries them to the owner, which completes each return's object with its part;
    /// its <see cref="Contained"/> lists the refs inside every part (the owner holds them, each part's until it frees that part).
    /// </summary>
    [Id(6)] public ObjectPayload[]? Returns { get; init; }

    /// <summary>A copy that lists <paramref name="contained"/> as the refs inside the value.</summary>
    public ObjectPayload WithContained(ObjectRefData[]? contained) =>
        contained is null ? this : new() { Kind = Kind, Data = Data, Node = Node, Size = Size, Error = Error, Contained = contained };

    public static ObjectPayload InlineBytes(byte[] data) => new() { Kind = PayloadKind.Inline, Data = data, Size = data.Length };
    public static ObjectPayload StoredAt(NodeId node, long size) => new() { Kind = PayloadKind.Stored, Node = node, Size = size };
    public static ObjectPayload Failed(RemoteError error) => new() { Kind = PayloadKind.Error, Error = error };

    /// <summary>The outcome of a task with several returns: <paramref name="parts"/>, one per return (see <see cref="Returns"/>).</summary>
    public static ObjectPayload Several(ObjectPayload[] parts)
    {
        var contained = parts.Where(p => p.Contained is not null).SelectMany(p => p.Contained!).ToArray();
        return new() { Kind = PayloadKind.Inline, Size = parts.Sum(p => p.Size), Returns = parts, Contained = contained.Length > 0 ? contained : null };
    }

    public override string ToString() => Returns is { } parts ? $"returns({string.Join(", ", parts.Select(p => p.ToString()))})" : Kind switch
    {
        PayloadKind.Inline => $"inline({Size} B)",
        PayloadKind.Stored => $"stored({Size} B @ {Node})",
        _ => $"error({Error?.TypeName})",
    };
}
