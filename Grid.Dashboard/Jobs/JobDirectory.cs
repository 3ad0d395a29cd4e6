using Grid.Silo.Gcs;
using Grid.State;
using Grid.Wire;

namespace Grid.Dashboard.Jobs;

/// <summary>
/// Every job the cluster knows, as the state API lists them: submitted jobs (the head's <c>JobSupervisor</c>, kept in the
/// GCS) and drivers that connected by themselves (the GCS's job table), a submitted job's driver joined to its row.
/// Never shows a job's environment (its values may be secrets).
/// </summary>
internal sealed class JobDirectory(IGcs gcs)
{
    /// <summary>Submitted jobs (type SUBMISSION) and the drivers that connected by themselves (type DRIVER), oldest first.</summary>
    public async Task<IReadOnlyList<JobView>> ListAsync(CancellationToken cancellationToken)
    {
        var submitted = gcs.GetSubmittedJobsAsync().WaitAsync(cancellationToken);
        var drivers = await gcs.GetJobsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var submissions = await submitted.ConfigureAwait(false);
        var ids = submissions.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var rows = submissions.Select(s => View(s, DriverOf(s.Id, drivers)))
            .Concat(drivers.Where(d => d.SubmissionId is null || !ids.Contains(d.SubmissionId)).Select(View));
        return [.. rows.OrderBy(r => r.StartTime)];
    }

    /// <summary>One submitted job, with its driver's job id once it connected; null when there is none of that id.</summary>
    public async Task<JobView?> GetAsync(string submissionId, CancellationToken cancellationToken)
    {
        var job = await gcs.GetSubmittedJobAsync(submissionId).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (job is null) return null;
        return View(job, DriverOf(job.Id, await gcs.GetJobsAsync().WaitAsync(cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>The driver of a submission: the newest cluster job that names it (a driver may connect more than once).</summary>
    private static JobInfo? DriverOf(string submissionId, JobInfo[] drivers) =>
        drivers.Where(d => d.SubmissionId == submissionId).MaxBy(d => d.StartTime);

    internal static JobView View(SubmittedJobInfo job, JobInfo? driver) => new()
    {
        SubmissionId = job.Id,
        JobId = driver?.JobId.Value,
        Type = "SUBMISSION",
        Status = job.Status.ToString().ToUpperInvariant(),
        Entrypoint = CommandLine(job.Entrypoint),
        Message = job.Message,
        ExitCode = job.ExitCode,
        Namespace = driver?.Namespace,
        StartTime = job.StartTime,
        EndTime = job.EndTime,
    };

    private static JobView View(JobInfo driver) => new()
    {
        JobId = driver.JobId.Value,
        Type = "DRIVER",
        Status = driver.Status.ToString().ToUpperInvariant(),
        Entrypoint = driver.Driver,
        Namespace = driver.Namespace,
        StartTime = driver.StartTime,
        EndTime = driver.EndTime,
    };

    /// <summary>The entrypoint as one line, its words quoted where they hold spaces or quotes (for reading, not for a shell).</summary>
    internal static string CommandLine(IEnumerable<string> words) => string.Join(' ', words.Select(w =>
        w.Length > 0 && !w.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? w : "\"" + w.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
}
