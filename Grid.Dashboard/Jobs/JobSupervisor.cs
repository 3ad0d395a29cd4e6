using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.RegularExpressions;
using Grid.Grains;
using Grid.Hosting;
using Grid.Jobs;
using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Dashboard.Jobs;

/// <summary>
/// Runs submitted jobs on the head (Ray's job supervisor): each job's driver is a child process of this node, in
/// JobsDirectory/&lt;id&gt;/work (its unpacked working directory, or an empty one), with GRID_ADDRESS, GRID_PASSWORD and
/// GRID_SUBMISSION_ID set; its output goes to JobsDirectory/&lt;id&gt;/driver.log. The job's record in the GCS moves
/// PENDING → RUNNING → SUCCEEDED (exit 0) / FAILED / STOPPED; every end is a conditional update, so the driver's exit
/// and a stop never both end it. At a job's end the cluster job of its driver (the JobInfo naming the submission) is
/// ended too, which kills its non-detached actors and drops its objects on every node.
/// </summary>
internal sealed partial class JobSupervisor
{
    /// <summary>How long a stopped driver has between SIGTERM and the kill of its process tree.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    /// <summary>Why a job whose head went away (or restarted) is FAILED.</summary>
    public const string HeadStoppedMessage = "the head stopped while the job ran";
    /// <summary>How long the output of an exited driver is still copied (a grandchild may hold its pipes open).</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(5);
    private static readonly Regex SubmissionIdPattern = new("^[A-Za-z0-9_-]{1,100}$", RegexOptions.CultureInvariant);
    private static readonly string[] ReservedVariables =
        [GridClusterAddress.AddressVariable, GridClusterAddress.PasswordVariable, JobCodeShipper.SubmissionIdVariable];

    private readonly IGcs _gcs;
    private readonly IGrainFactory _grains;
    private readonly NodeId _head;
    private readonly DashboardOptions _options;
    private readonly JobPackages _packages;
    private readonly ILogger _logger;
    // The jobs this head runs (from submission until their end is recorded and their drivers' jobs are ended).
    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);

    public JobSupervisor(IGcs gcs, IGrainFactory grains, NodeId head, DashboardOptions options, JobPackages packages, ILogger<JobSupervisor> logger)
    {
        _gcs = gcs;
        _grains = grains;
        _head = head;
        _options = options;
        _packages = packages;
        _logger = logger;
        JobsDirectory = options.JobsDirectory is { Length: > 0 } jobs ? Path.GetFullPath(jobs) : Path.Combine(GridStateDirectory.Path, "jobs");
    }

    /// <summary>Where jobs' working directories and logs are kept (readable by this user only).</summary>
    public string JobsDirectory { get; }

    public NodeId HeadNode => _head;

    public string LogPath(string id) => Path.Combine(JobsDirectory, id, "driver.log");

    /// <summary>A job of this head: its driver once started, and whether a stop (or the head's shutdown) was asked.</summary>
    private sealed class Run
    {
        public readonly Lock Gate = new();
        public DriverProcess? Driver;
        public bool StopRequested;
        public bool HeadStopping;
        public Task Completion = Task.CompletedTask;
    }

    /// <summary>Validates and records the job (PENDING), then starts its driver in the background; returns the record.</summary>
    public async Task<SubmittedJobInfo> SubmitAsync(JobSubmitRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        if (request.WorkingDirPackage is { } hash && !await _packages.HasAsync(hash).WaitAsync(_options.GcsTimeout, cancellationToken).ConfigureAwait(false))
            throw JobRequestException.BadRequest($"The cluster has no working-directory package '{hash}': upload it with PUT /api/packages/{{hash}} first " +
                "(grid job submit --working-dir does).");
        var job = new SubmittedJobInfo
        {
            Id = request.SubmissionId ?? "gridjob_" + Guid.NewGuid().ToString("N")[..12],
            Entrypoint = [.. request.Entrypoint],
            Status = SubmittedJobStatus.Pending,
            StartTime = DateTimeOffset.UtcNow,
            PackageHash = request.WorkingDirPackage,
            Environment = request.Environment is { Count: > 0 } env ? new Dictionary<string, string>(env, StringComparer.Ordinal) : null,
            HeadNode = _head,
        };
        var run = new Run();
        // Known here before the GCS has it, so the sweep for jobs nobody runs never takes it for one.
        if (!_runs.TryAdd(job.Id, run) || !await AddAsync(job, cancellationToken).ConfigureAwait(false))
            throw JobRequestException.Conflict($"A job with submission id '{job.Id}' exists already: give another id, or none for a generated one.");
        JobLog.Submitted(_logger, job.Id, string.Join(' ', job.Entrypoint), Path.Combine(JobsDirectory, job.Id, "work"));
        run.Completion = Task.Run(() => SuperviseAsync(job, run), CancellationToken.None);
        return job;
    }

    private async Task<bool> AddAsync(SubmittedJobInfo job, CancellationToken cancellationToken)
    {
        try
        {
            if (await _gcs.AddSubmittedJobAsync(job).WaitAsync(_options.GcsTimeout, cancellationToken).ConfigureAwait(false)) return true;
            _runs.TryRemove(job.Id, out _);
            return false;
        }
        catch
        {
            _runs.TryRemove(job.Id, out _);
            throw;
        }
    }

    private static void Validate(JobSubmitRequest request)
    {
        if (request.Entrypoint is not { Count: > 0 } || string.IsNullOrWhiteSpace(request.Entrypoint[0]))
            throw JobRequestException.BadRequest("The job has no entrypoint: give the driver's command line, e.g. [\"dotnet\", \"MyDriver.dll\"].");
        if (request.SubmissionId is { } id && !SubmissionIdPattern.IsMatch(id))
            throw JobRequestException.BadRequest($"'{id}' cannot be a submission id: use 1 to 100 letters, digits, '-' and '_'.");
        if (request.WorkingDirPackage is { } hash && !JobPackages.IsHash(hash))
            throw JobRequestException.BadRequest($"'{hash}' is not a package name: packages are named by the SHA-256 of their zip, 64 lower-case hex digits.");
        foreach (var name in request.Environment?.Keys ?? [])
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
                throw JobRequestException.BadRequest($"'{name}' cannot be the name of an environment variable.");
            if (ReservedVariables.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw JobRequestException.BadRequest($"{name} is set by the head for every job (the cluster's address, its password and the submission id); leave it out of the job's environment.");
        }
    }

    /// <summary>Prepares, starts and watches one job's driver, and records its end.</summary>
    private async Task SuperviseAsync(SubmittedJobInfo job, Run run)
    {
        try
        {
            var directory = GridStateDirectory.CreatePrivate(Path.Combine(GridStateDirectory.CreatePrivate(JobsDirectory), job.Id));
            var work = GridStateDirectory.CreatePrivate(Path.Combine(directory, "work"));
            DriverProcess? driver = null;
            try
            {
                if (job.PackageHash is { } hash) await _packages.UnpackAsync(hash, work).ConfigureAwait(false);
                lock (run.Gate)
                    if (!run.StopRequested) run.Driver = driver = DriverProcess.Start(job.Entrypoint, work, DriverEnvironment(job), LogPath(job.Id));
            }
            catch (Exception e) when (e is Win32Exception or JobRequestException or IOException or UnauthorizedAccessException)
            {
                var why = e is Win32Exception ? $"the driver '{job.Entrypoint[0]}' could not be started: {e.Message}" : $"the job's working directory could not be prepared: {e.Message}";
                JobLog.StartFailed(_logger, job.Id, why);
                DriverProcess.AppendLine(LogPath(job.Id), "grid: " + why);
                await EndAsync(job, SubmittedJobStatus.Pending, SubmittedJobStatus.Failed, why, exitCode: null).ConfigureAwait(false);
                return;
            }
            if (driver is null)
            {
                await EndAsync(job, SubmittedJobStatus.Pending, SubmittedJobStatus.Stopped, "stopped before its driver started", exitCode: null).ConfigureAwait(false);
                return;
            }
            using (driver)
            {
                JobLog.Started(_logger, job.Id, driver.Pid, LogPath(job.Id));
                var running = job with { Status = SubmittedJobStatus.Running };
                // Ended meanwhile by another writer (a sweep that took this head for gone): the driver must not outlive its record.
                if (!await _gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Pending, running).ConfigureAwait(false)) driver.Kill();
                var exit = await driver.WaitForExitAsync(Drain).ConfigureAwait(false);
                bool stopped, headStopping;
                lock (run.Gate) (stopped, headStopping) = (run.StopRequested, run.HeadStopping);
                var (status, message, code) =
                    headStopping ? (SubmittedJobStatus.Failed, HeadStoppedMessage, (int?)null)
                    : stopped ? (SubmittedJobStatus.Stopped, "stopped by request", null)
                    : exit == 0 ? (SubmittedJobStatus.Succeeded, "the driver exited with code 0", 0)
                    : (SubmittedJobStatus.Failed, $"the driver exited with code {exit}", exit);
                await EndAsync(running, SubmittedJobStatus.Running, status, message, code).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            JobLog.SupervisionFailed(_logger, e, job.Id);
            var why = $"the head could not supervise the job: {e.Message}";
            try
            {
                if (!await _gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Running, job with { Status = SubmittedJobStatus.Failed, Message = why, EndTime = DateTimeOffset.UtcNow }).ConfigureAwait(false))
                    await _gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Pending, job with { Status = SubmittedJobStatus.Failed, Message = why, EndTime = DateTimeOffset.UtcNow }).ConfigureAwait(false);
            }
            catch (Exception inner) when (inner is not OutOfMemoryException) { JobLog.SupervisionFailed(_logger, inner, job.Id); }
        }
        finally
        {
            _runs.TryRemove(job.Id, out _);
        }
    }

    /// <summary>The driver's environment: the head's own, the job's, and what connects it to this cluster as this submission.</summary>
    private Dictionary<string, string?> DriverEnvironment(SubmittedJobInfo job)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in job.Environment ?? []) environment[name] = value;
        environment[GridClusterAddress.AddressVariable] = _options.ClusterAddress is { Length: > 0 } address ? address : null;
        environment[GridClusterAddress.PasswordVariable] = _options.Password is { Length: > 0 } password ? password : null;
        environment[JobCodeShipper.SubmissionIdVariable] = job.Id;
        return environment;
    }

    /// <summary>
    /// Ends the job (if its record still has <paramref name="expected"/>) and then the cluster jobs of its drivers, which
    /// frees their non-detached actors and objects: a driver that exited, or was stopped, leaves nothing behind.
    /// </summary>
    private async Task EndAsync(SubmittedJobInfo job, SubmittedJobStatus expected, SubmittedJobStatus status, string message, int? exitCode)
    {
        var ended = job with { Status = status, Message = message, ExitCode = exitCode, EndTime = DateTimeOffset.UtcNow };
        if (await _gcs.TryUpdateSubmittedJobAsync(expected, ended).ConfigureAwait(false))
            JobLog.Ended(_logger, job.Id, status.ToString().ToUpperInvariant(), message);
        var end = status switch { SubmittedJobStatus.Succeeded => JobStatus.Succeeded, SubmittedJobStatus.Stopped => JobStatus.Stopped, _ => JobStatus.Failed };
        foreach (var driver in (await _gcs.GetJobsAsync().ConfigureAwait(false)).Where(j => j.SubmissionId == job.Id && j.Status == JobStatus.Running))
        {
            try { await _grains.GetGrain<IGcsGrain>(0).FinishJob(driver.JobId, end).ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                JobLog.FinishJobFailed(_logger, e, driver.JobId.Value, job.Id);
            }
        }
    }
}
