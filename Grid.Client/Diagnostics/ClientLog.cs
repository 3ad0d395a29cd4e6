using Microsoft.Extensions.Logging;

namespace Grid.Diagnostics;

/// <summary>
/// The log messages of the SDK (the core worker's are in Grid.Core's CoreLog), source-generated ([LoggerMessage]: no formatting or allocation when the level is off), with
/// event ids 1101–1199 (see docs/architecture.md for every component's range).
/// </summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Could not mark job {Job} finished")]
    public static partial void CouldNotMarkJobFinished(ILogger logger, Exception exception, object? job);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Node {Node} left while the memory summary was read")]
    public static partial void NodeLeftDuringMemorySummary(ILogger logger, Exception exception, object? node);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Owner {Owner} did not report its reference counts")]
    public static partial void OwnerDidNotReportCounts(ILogger logger, Exception exception, object? owner);

    [LoggerMessage(EventId = 1122, Level = LogLevel.Information, Message = "Uploaded code package {Hash} ({Bytes} bytes: {Assemblies}) in {Elapsed:F0} ms")]
    public static partial void CodePackageUploaded(ILogger logger, string hash, long bytes, string assemblies, double elapsed);
}
