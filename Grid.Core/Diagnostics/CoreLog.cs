using Microsoft.Extensions.Logging;

namespace Grid.Core.Diagnostics;

/// <summary>
/// The log messages of the core worker, source-generated ([LoggerMessage]: no formatting or allocation when the level is
/// off), with event ids in 1101–1199, the range it shares with the SDK's ClientLog (see docs/architecture.md).
/// </summary>
internal static partial class CoreLog
{
    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "Copy of object {Object} on {Node} is gone too")]
    public static partial void CopyGone(ILogger logger, Exception exception, object? @object, object? node);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "A batch of {Count} calls to actor {Actor} was interrupted; sending it again")]
    public static partial void ActorBatchInterrupted(ILogger logger, Exception exception, object? count, object? actor);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "A batch of {Count} calls to actor {Actor} was lost with its node")]
    public static partial void ActorBatchLostWithNode(ILogger logger, Exception exception, object? count, object? actor);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Debug, Message = "A batch of {Count} calls to actor {Actor} failed")]
    public static partial void ActorBatchFailed(ILogger logger, Exception exception, object? count, object? actor);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Debug, Message = "Actor call {Method} on {Actor} failed")]
    public static partial void ActorCallFailed(ILogger logger, Exception exception, object? method, object? actor);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Debug, Message = "Killing actor {Actor} whose placement failed")]
    public static partial void KillingActorWhosePlacementFailed(ILogger logger, Exception exception, object? actor);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Debug, Message = "Could not learn the node of actor {Actor}; its calls still fail or retry when answered")]
    public static partial void ActorNodeUnknown(ILogger logger, Exception exception, object? actor);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Reading the borrower notices of {Owner} failed; retrying")]
    public static partial void BorrowerNoticesFailed(ILogger logger, Exception exception, object? owner);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "Node {Node} died holding refs: freed {Count} objects only it still held")]
    public static partial void DeadNodeRefsFreed(ILogger logger, object? node, object? count);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Warning, Message = "Could not read the locations of freed object {Object}; deleting only its first copy on {Node}")]
    public static partial void FreedObjectLocationsUnread(ILogger logger, Exception exception, object? @object, object? node);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Debug, Message = "Could not remove freed object {Object} from the object directory")]
    public static partial void FreedObjectDirectoryRemovalFailed(ILogger logger, Exception exception, object? @object);

    [LoggerMessage(EventId = 1115, Level = LogLevel.Warning, Message = "Node {Node} could not delete freed object {Object} after {Attempts} attempts")]
    public static partial void FreedObjectDeleteGaveUp(ILogger logger, Exception exception, object? node, object? @object, object? attempts);

    [LoggerMessage(EventId = 1116, Level = LogLevel.Debug, Message = "Deleting freed object {Object} on {Node} failed; retrying")]
    public static partial void FreedObjectDeleteRetrying(ILogger logger, Exception exception, object? @object, object? node);

    [LoggerMessage(EventId = 1117, Level = LogLevel.Debug, Message = "Could not register as a borrower of {Object} with its owner {Owner}")]
    public static partial void BorrowerRegistrationFailed(ILogger logger, Exception exception, object? @object, object? owner);

    [LoggerMessage(EventId = 1118, Level = LogLevel.Debug, Message = "Could not unregister as a borrower of {Object} with its owner {Owner}")]
    public static partial void BorrowerUnregistrationFailed(ILogger logger, Exception exception, object? @object, object? owner);

    [LoggerMessage(EventId = 1119, Level = LogLevel.Debug, Message = "Could not register {Holder} as a borrower of {Object}")]
    public static partial void HolderRegistrationFailed(ILogger logger, Exception exception, object? holder, object? @object);

    [LoggerMessage(EventId = 1120, Level = LogLevel.Debug, Message = "Could not unregister as a borrower of {Object}")]
    public static partial void BorrowUnregistrationFailed(ILogger logger, Exception exception, object? @object);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Warning, Message = "Freeing this job's {Count} stored objects did not finish within {Timeout}")]
    public static partial void JobObjectsFreeingTimedOut(ILogger logger, Exception exception, object? count, object? timeout);
}
