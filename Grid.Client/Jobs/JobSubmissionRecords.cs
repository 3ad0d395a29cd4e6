namespace Grid.Jobs;

/// <summary>
/// A job to run on the head (Ray's <c>ray job submit</c>): the driver's command line, run as a child process of the
/// head node with GRID_ADDRESS and GRID_PASSWORD set, in the uploaded working directory (or an empty one).
/// Body of <c>POST /api/jobs</c>.
/// </summary>
public sealed record JobSubmitRequest
{
    /// <summary>The program and its arguments, e.g. ["dotnet", "MyDriver.dll", "--rows", "1000"]. Not run by a shell.</summary>
    public required IReadOnlyList<string> Entrypoint { get; init; }
    /// <summary>The content hash of a working directory uploaded with <c>PUT /api/packages/{hash}</c> (a zip); null: none.</summary>
    public string? WorkingDirPackage { get; init; }
    /// <summary>Environment variables for the driver (besides GRID_ADDRESS, GRID_PASSWORD and GRID_SUBMISSION_ID). Never shown by the API.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>An id to use instead of a generated one (must be unused: letters, digits, '-' and '_').</summary>
    public string? SubmissionId { get; init; }
}

/// <summary>The answer of <c>POST /api/jobs</c>.</summary>
public sealed record JobSubmitResponse(string SubmissionId);

/// <summary>
/// A part of a job's log (<c>GET /api/jobs/{id}/logs?offset=N</c>): the text from byte <see cref="Offset"/> on,
/// and where the next read starts. <see cref="Ended"/>: the job has ended and nothing more will be written.
/// </summary>
public sealed record JobLogChunk(string Text, long Offset, long NextOffset, bool Ended);
