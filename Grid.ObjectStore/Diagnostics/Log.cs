using Microsoft.Extensions.Logging;

namespace Grid.ObjectStore;

/// <summary>The object store's log messages (source-generated: no formatting cost when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Object store opened in {Directory}: {Capacity} bytes of memory, spilling to {SpillDirectory}")]
    public static partial void StoreOpened(ILogger logger, string directory, long capacity, string spillDirectory);

    [LoggerMessage(2, LogLevel.Information, "Object store in {Directory} closed: {Count} objects, {Bytes} bytes dropped")]
    public static partial void StoreClosed(ILogger logger, string directory, int count, long bytes);

    [LoggerMessage(3, LogLevel.Warning, "Could not remove object store directory {Directory}")]
    public static partial void DirectoryNotRemoved(ILogger logger, Exception exception, string directory);

    [LoggerMessage(4, LogLevel.Debug, "Object {Id} created ({Size} bytes)")]
    public static partial void Created(ILogger logger, ObjectId id, long size);

    [LoggerMessage(5, LogLevel.Debug, "Object {Id} sealed")]
    public static partial void Sealed(ILogger logger, ObjectId id);

    [LoggerMessage(6, LogLevel.Debug, "Object {Id} {Action} ({Size} bytes)")]
    public static partial void Removed(ILogger logger, ObjectId id, string action, long size);

    [LoggerMessage(7, LogLevel.Debug, "Object {Id} spilled to disk ({Size} bytes)")]
    public static partial void Spilled(ILogger logger, ObjectId id, long size);

    [LoggerMessage(8, LogLevel.Debug, "Object {Id} restored from disk ({Size} bytes, into memory: {InMemory})")]
    public static partial void Restored(ILogger logger, ObjectId id, long size, bool inMemory);

    [LoggerMessage(9, LogLevel.Warning, "Could not spill object {Id} to {Path}")]
    public static partial void SpillFailed(ILogger logger, Exception exception, ObjectId id, string path);

    [LoggerMessage(10, LogLevel.Debug, "Pulled object {Id} ({Size} bytes) from {Source} in {Milliseconds:F1} ms")]
    public static partial void Pulled(ILogger logger, ObjectId id, long size, NodeId source, double milliseconds);

    [LoggerMessage(11, LogLevel.Warning, "Pull of object {Id} from {Source} failed")]
    public static partial void PullFailed(ILogger logger, Exception exception, ObjectId id, NodeId source);

    [LoggerMessage(12, LogLevel.Debug, "Fetched object {Id} ({Size} bytes) from {Source} in {Milliseconds:F1} ms")]
    public static partial void Fetched(ILogger logger, ObjectId id, long size, NodeId source, double milliseconds);

    [LoggerMessage(13, LogLevel.Debug, "Pushed object {Id} ({Size} bytes) to {Target} in {Milliseconds:F1} ms")]
    public static partial void Pushed(ILogger logger, ObjectId id, long size, NodeId target, double milliseconds);

    [LoggerMessage(14, LogLevel.Warning, "Could not delete the partial copy of object {Id} on {Target} after a failed push")]
    public static partial void PushCleanupFailed(ILogger logger, Exception exception, ObjectId id, NodeId target);

    [LoggerMessage(15, LogLevel.Warning, "Object {Id} was not sealed within {Timeout} of its creation for a remote writer; dropped it (the writer died or stalled mid-write)")]
    public static partial void UnsealedDropped(ILogger logger, ObjectId id, TimeSpan timeout);

    [LoggerMessage(16, LogLevel.Debug, "Node {Target}'s file for object {Id} cannot be written from here ({Reason}); pushing it over the network instead")]
    public static partial void SameHostWriteFallback(ILogger logger, NodeId target, ObjectId id, string reason);

    [LoggerMessage(30, LogLevel.Warning, "A store event handler failed for object {Id}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, ObjectId id);
}
