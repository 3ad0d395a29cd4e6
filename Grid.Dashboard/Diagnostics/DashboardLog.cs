using Microsoft.Extensions.Logging;

namespace Grid.Dashboard.Diagnostics;

/// <summary>
/// The log messages of the web service (hosting, authentication, state API, history), source-generated, with event ids
/// 4001–4049 (the job routes of Grid.Dashboard/Jobs take 4051–4099).
/// </summary>
internal static partial class DashboardLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Grid dashboard listening on {Url}")]
    public static partial void DashboardListening(ILogger logger, string url);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Prometheus metrics of node {Node} served at {Url}")]
    public static partial void MetricsListening(ILogger logger, object? node, string url);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "The {Service} at {Url} has no password: anyone who can reach it can use it. Give the cluster a password (--password or GRID_PASSWORD).")]
    public static partial void NoPassword(ILogger logger, string service, string url);

    // Debug: the page asks every second; the history sampler logs an outage once (4007).
    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "{Method} {Path} failed: the head cannot reach the GCS")]
    public static partial void GcsUnreachable(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "Node {Node} did not report its state ({Error})")]
    public static partial void NodeDidNotAnswer(ILogger logger, object? node, string error);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "A cluster sample failed; sampling again in a second")]
    public static partial void SampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "A login to the dashboard was refused (wrong password) from {Remote}")]
    public static partial void LoginRefused(ILogger logger, string? remote);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "The {Service} at {Url} stopped")]
    public static partial void Stopped(ILogger logger, string service, string url);
}
