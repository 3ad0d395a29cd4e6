using Microsoft.Extensions.Logging;

namespace Grid.Dashboard.Jobs;

/// <summary>The job supervisor's log lines (event ids 4300–4349). Never the job's environment: its values may be secrets.</summary>
internal static partial class JobLog
{
    [LoggerMessage(4300, LogLevel.Information, "Job {Submission} submitted: {Entrypoint} in {WorkingDirectory}")]
    public static partial void Submitted(ILogger logger, string submission, string entrypoint, string workingDirectory);

    [LoggerMessage(4301, LogLevel.Information, "Job {Submission} started: driver pid {Pid}, log {Log}")]
    public static partial void Started(ILogger logger, string submission, int pid, string log);

    [LoggerMessage(4302, LogLevel.Information, "Job {Submission} ended {Status}: {Message}")]
    public static partial void Ended(ILogger logger, string submission, string status, string message);

    [LoggerMessage(4303, LogLevel.Warning, "Job {Submission} failed to start: {Message}")]
    public static partial void StartFailed(ILogger logger, string submission, string message);

    [LoggerMessage(4304, LogLevel.Information, "Stopping job {Submission}: SIGTERM to driver pid {Pid}, the process tree killed after {Grace}")]
    public static partial void Stopping(ILogger logger, string submission, int pid, TimeSpan grace);

    [LoggerMessage(4305, LogLevel.Warning, "Job {Submission}'s driver did not exit within {Grace} of SIGTERM; killed its process tree")]
    public static partial void Killed(ILogger logger, string submission, TimeSpan grace);

    [LoggerMessage(4306, LogLevel.Warning, "Could not end the cluster job {Job} of submission {Submission} (its actors and objects are freed when its lease runs out)")]
    public static partial void FinishJobFailed(ILogger logger, Exception error, string job, string submission);

    [LoggerMessage(4307, LogLevel.Warning, "Job {Submission} was {Status} on head {Head}, which no longer runs it; marked FAILED")]
    public static partial void Orphaned(ILogger logger, string submission, string status, string head);

    [LoggerMessage(4308, LogLevel.Warning, "Could not look for submitted jobs left by a stopped head; trying again later")]
    public static partial void SweepFailed(ILogger logger, Exception error);

    [LoggerMessage(4309, LogLevel.Error, "Job {Submission}'s supervision failed")]
    public static partial void SupervisionFailed(ILogger logger, Exception error, string submission);
}
