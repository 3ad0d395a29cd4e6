using Grid.Diagnostics;
using System.Diagnostics;
using System.Reflection;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Jobs;

/// <summary>
/// Registers a client's job with the cluster and ships its code (Ray's job submission with a
/// working directory): the application assemblies go into one content-addressed package that is
/// uploaded only when the GCS does not have it yet, and the job names it. Nodes load it lazily,
/// on the job's first task or actor.
/// </summary>
internal static class JobCodeShipper
{
    /// <summary>
    /// Set by a head's job supervisor in the environment of a driver it runs (<c>grid job submit</c>): the submission's
    /// id, recorded in the job (<see cref="JobInfo.SubmissionId"/>) so that stopping the submission ends this job too.
    /// </summary>
    public const string SubmissionIdVariable = "GRID_SUBMISSION_ID";

    /// <summary>
    /// Ships the job's code (when <paramref name="options"/> say so) and registers the job. Dispose
    /// the result when the client goes away: the job is marked finished and nodes drop its code.
    /// With an <paramref name="owner"/> (the driver's owner endpoint) the job holds a lease that the result renews
    /// every <paramref name="leaseRenewal"/> until disposed: a driver that dies without disposing stops renewing, and
    /// the cluster ends its job as failed (see <c>JobWatch</c> on the nodes).
    /// </summary>
    /// <param name="environment">The job's environment variables, kept in its record for the nodes (see <see cref="JobInfo.Environment"/>).</param>
    /// <param name="ns">The job's namespace, kept in its record for the nodes (see <see cref="JobInfo.Namespace"/>).</param>
    public static async Task<JobRegistration> StartJobAsync(IGrainFactory grains, JobId job, JobCodeOptions options, ILogger logger,
        GrainId? owner = null, TimeSpan? leaseRenewal = null, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string>? environment = null, string ns = JobInfo.DefaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gcs = grains.GetGrain<IGcsGrain>(0);
        string? hash = null;
        if (options.Enabled)
        {
            var builder = CodePackageBuilder.Collect(options.Assemblies);
            if (builder.Files.Count > 0) hash = await ShipAsync(grains, gcs, builder, options, logger, cancellationToken).ConfigureAwait(false);
        }
        await gcs.AddJob(new JobInfo
        {
            JobId = job,
            Driver = $"{Environment.MachineName}:{Environment.ProcessId} ({Assembly.GetEntryAssembly()?.GetName().Name ?? "unknown"})",
            CodePackage = hash,
            Status = JobStatus.Running,
            StartTime = DateTimeOffset.UtcNow,
            Owner = owner,
            Environment = environment is { Count: > 0 } ? new Dictionary<string, string>(environment, StringComparer.Ordinal) : null,
            Namespace = ns,
            SubmissionId = Environment.GetEnvironmentVariable(SubmissionIdVariable) is { Length: > 0 } submission ? submission : null,
        }).ConfigureAwait(false);
        var registration = new JobRegistration(gcs, job, hash, logger);
        if (owner is not null) registration.StartRenewing(leaseRenewal ?? Hosting.GridClientOptionsDefaults.LeaseRenewal);
        return registration;
    }

    private static async Task<string> ShipAsync(IGrainFactory grains, IGcsGrain gcs, CodePackageBuilder builder, JobCodeOptions options,
        ILogger logger, CancellationToken cancellationToken)
    {
        // Same build as before in this process: ask by hash before reading and hashing any file.
        if (builder.KnownHash is { } known && await gcs.HasCodePackage(known).ConfigureAwait(false))
        {
            JobMetrics.PackageReuses.Add(1, new KeyValuePair<string, object?>("package", known));
            return known;
        }
        var (package, hash) = builder.Build();
        if (await gcs.HasCodePackage(hash).ConfigureAwait(false))
        {
            JobMetrics.PackageReuses.Add(1, new KeyValuePair<string, object?>("package", hash));
            return hash;
        }
        var started = Stopwatch.GetTimestamp();
        var upload = grains.GetGrain<ICodePackageUploadGrain>(hash);
        var id = Guid.NewGuid();
        try
        {
            if (!await upload.Begin(id, package.Length).ConfigureAwait(false)) return hash;
            var chunk = Math.Clamp(options.UploadChunkSize, 64 * 1024, 64 * 1024 * 1024);
            for (var offset = 0; offset < package.Length; offset += chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var part = package.AsSpan(offset, Math.Min(chunk, package.Length - offset)).ToArray();
                await upload.Append(id, offset, new Immutable<byte[]>(part)).ConfigureAwait(false);
            }
            await upload.Commit(id).ConfigureAwait(false);
        }
        catch (GridException)
        {
            // Another client uploading the same build took over: fine once its copy is stored.
            if (await gcs.HasCodePackage(hash).ConfigureAwait(false)) return hash;
            throw;
        }
        JobMetrics.PackageUploads.Add(1, new KeyValuePair<string, object?>("package", hash));
        JobMetrics.PackageUploadBytes.Add(package.Length);
        Diagnostics.ClientLog.CodePackageUploaded(logger, hash, package.Length, string.Join(", ", builder.AssemblyNames), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return hash;
    }
}

/// <summary>A registered job; disposing it marks the job finished, and the cluster's nodes drop its code.</summary>
internal sealed class JobRegistration : IAsyncDisposable
{
    private readonly IGcsGrain _gcs;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopRenewing = new();
    private Task _renewing = Task.CompletedTask;
    private int _finished;

    internal JobRegistration(IGcsGrain gcs, JobId job, string? codePackage, ILogger logger)
    {
        _gcs = gcs;
        Job = job;
        CodePackage = codePackage;
        _logger = logger;
    }

    public JobId Job { get; }
    /// <summary>The hash of the shipped package; null when the job shipped nothing.</summary>
    public string? CodePackage { get; }

    internal void StartRenewing(TimeSpan every) => _renewing = RenewAsync(every, _stopRenewing.Token);

    /// <summary>
    /// Renews the job's lease until disposal. A failed renewal (GCS or gateway briefly down) is retried at the next tick;
    /// a renewal is awaited one interval at most, so a call stuck on a dead gateway (answered only by Orleans' 30 s
    /// response timeout) does not hold back the next one, which goes through a live gateway.
    /// </summary>
    private async Task RenewAsync(TimeSpan every, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try { await _gcs.RenewJobLease(Job).WaitAsync(every, stop).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    JobLog.RenewalFailed(_logger, e, Job);
                }
            }
        }
        catch (OperationCanceledException) { /* disposed */ }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1) return;
        await _stopRenewing.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopRenewing.Dispose();
        try
        {
            await _gcs.FinishJob(Job, JobStatus.Succeeded).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The cluster may be gone already; a client must still be able to shut down.
            ClientLog.CouldNotMarkJobFinished(_logger, e, Job);
        }
    }
}

internal static partial class JobLog
{
    [LoggerMessage(EventId = 1123, Level = LogLevel.Warning, Message = "Could not renew the lease of job {Job}; trying again at the next renewal")]
    public static partial void RenewalFailed(ILogger logger, Exception error, JobId job);
}
