using Microsoft.Extensions.Logging;

namespace Grid.ObjectStore;

/// <summary>Log messages of the TCP transfer channel (event ids 100+).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Object transfer channel listening on port {Port}")]
    public static partial void TransferListening(ILogger logger, int port);

    [LoggerMessage(101, LogLevel.Warning, "Object transfer channel could not listen on port {Port}; transfers from this node use grain calls")]
    public static partial void TransferListenFailed(ILogger logger, Exception exception, int port);

    [LoggerMessage(102, LogLevel.Warning, "Object transfer channel: a connection failed")]
    public static partial void TransferServeFailed(ILogger logger, Exception exception);

    [LoggerMessage(103, LogLevel.Information, "Node {Node}'s transfer channel cannot be used ({Reason}); moving object {Id} through grain calls")]
    public static partial void TransferFallback(ILogger logger, NodeId node, ObjectId id, string reason);

    [LoggerMessage(104, LogLevel.Warning, "Object transfer channel refused a connection from {Peer} at the TLS handshake (not a member of this cluster): {Reason}")]
    public static partial void TransferRefused(ILogger logger, string peer, string reason);
}
