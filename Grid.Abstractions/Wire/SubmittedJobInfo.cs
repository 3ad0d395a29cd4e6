namespace Grid.Wire;

/// <summary>The states of a submitted job (Ray's job submission states).</summary>
internal enum SubmittedJobStatus : byte { Pending, Running, Succeeded, Failed, Stopped }

/// <summary>
/// A job submitted to a head (<c>grid job submit</c>, <c>POST /api/jobs</c>): the driver's command line that head runs
/// as a child process, and how it went. Kept in the GCS (the submitted-job table) so that any head, and <c>grid list
/// jobs</c>, sees it; the driver, once it connects, has a <see cref="JobInfo"/> of its own whose
/// <see cref="JobInfo.SubmissionId"/> names this record.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record SubmittedJobInfo
{
    /// <summary>The submission id (letters, digits, '-' and '_'), chosen by the submitter or generated.</summary>
    [Id(0)] public required string Id { get; init; }
    /// <summary>The program and its arguments, run without a shell.</summary>
    [Id(1)] public required string[] Entrypoint { get; init; }
    [Id(2)] public SubmittedJobStatus Status { get; init; }
    /// <summary>Why the job is in its state, in Grid's words (e.g. "the driver exited with code 3").</summary>
    [Id(3)] public string? Message { get; init; }
    /// <summary>The driver's exit code once it exited by itself; null while it runs, or when it never started or was stopped.</summary>
    [Id(4)] public int? ExitCode { get; init; }
    /// <summary>When the job was submitted.</summary>
    [Id(5)] public DateTimeOffset StartTime { get; init; }
    [Id(6)] public DateTimeOffset? EndTime { get; init; }
    /// <summary>The working directory's package (a zip in the code package store, by its SHA-256); null: none.</summary>
    [Id(7)] public string? PackageHash { get; init; }
    /// <summary>The driver's environment variables as submitted. Values may be secrets: never log them, never answer them.</summary>
    [Id(8)] public Dictionary<string, string>? Environment { get; init; }
    /// <summary>The head node that runs the driver.</summary>
    [Id(9)] public required NodeId HeadNode { get; init; }

    /// <summary>Whether the job has ended (nothing will change its record again).</summary>
    public bool HasEnded => Status is SubmittedJobStatus.Succeeded or SubmittedJobStatus.Failed or SubmittedJobStatus.Stopped;
}
