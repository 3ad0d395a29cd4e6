namespace Grid.Wire;

/// <summary>
/// An exception thrown where a task or actor method ran, as it travels back to whoever gets the
/// result: the remote type name, message and stack trace, plus the Grid-serialized exception so the
/// caller can rebuild the original type.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class RemoteError
{
    [Id(0)] public required string TypeName { get; init; }
    [Id(1)] public required string Message { get; init; }
    [Id(2)] public string? StackTrace { get; init; }
    /// <summary>Where it happened, e.g. "task Squares.Square on node 127.0.0.1:11111@…".</summary>
    [Id(3)] public string? Origin { get; init; }
    [Id(4)] public byte[]? Exception { get; init; }
    /// <summary>
    /// Set when the work did not fail but was lost because this node died under it (a raylet that forwarded
    /// it saw the node go): the owner may submit it again, as its retries allow.
    /// </summary>
    [Id(5)] public NodeId? LostWith { get; init; }
}
