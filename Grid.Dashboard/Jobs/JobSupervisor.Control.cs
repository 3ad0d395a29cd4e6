using Grid.Jobs;
using Grid.Wire;
using Microsoft.Extensions.Hosting;

namespace Grid.Dashboard.Jobs;

// Stopping jobs, reading their logs, and the head's own start and stop.
internal sealed partial class JobSupervisor : IHostedService
{
    /// <summary>The most of a log one read answers.</summary>
    private const int MaxLogChunk = 1024 * 1024;
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _shutdown = new();
    private Task _sweeping = Task.CompletedTask;

    public async Task<SubmittedJobInfo> GetAsync(string id, CancellationToken cancellationToken) =>
        await _gcs.GetSubmittedJobAsync(id).WaitAsync(_options.GcsTimeout, cancellationToken).ConfigureAwait(false)
        ?? throw JobRequestException.NotFound($"There is no job with submission id '{id}' (grid job list shows the cluster's jobs).");

    /// <summary>
    /// Stops the job: SIGTERM to its driver, its process tree killed after <see cref="StopGrace"/>, then it is STOPPED and
    /// its drivers' cluster jobs end (their non-detached actors die, their objects go). False when it had ended already.
    /// </summary>
    public async Task<bool> StopAsync(string id, CancellationToken cancellationToken)
    {
        var job = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job.HasEnded) return false;
        if (_runs.TryGetValue(id, out var run))
        {
            await StopRunAsync(id, run, headStopping: false).ConfigureAwait(false);
            // The end is recorded by the supervision once the driver is gone; wait for it, within reason.
            await run.Completion.WaitAsync(StopGrace * 3, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return true;
        }
        if (job.HeadNode != _head && await IsAliveAsync(job.HeadNode).ConfigureAwait(false))
            throw JobRequestException.Conflict($"Job '{id}' runs on the head node {job.HeadNode}: stop it through that head's web service.");
        // Nobody runs it any more (its head is gone): record the stop and free what its drivers held.
        await EndAsync(job, job.Status, SubmittedJobStatus.Stopped, "stopped by request (its head no longer ran it)", exitCode: null).ConfigureAwait(false);
        return true;
    }

    private async Task StopRunAsync(string id, Run run, bool headStopping)
    {
        DriverProcess? driver;
        lock (run.Gate)
        {
            run.StopRequested = true;
            run.HeadStopping |= headStopping;
            driver = run.Driver;
        }
        if (driver is null || driver.HasExited) return;
        JobLog.Stopping(_logger, id, driver.Pid, StopGrace);
        driver.Terminate();
        if (!await driver.ExitedWithinAsync(StopGrace).ConfigureAwait(false))
        {
            JobLog.Killed(_logger, id, StopGrace);
            driver.Kill();
        }
    }

    private async Task<bool> IsAliveAsync(NodeId node) =>
        (await _gcs.GetNodesAsync().ConfigureAwait(false)).Any(n => n.NodeId == node && n.State == NodeState.Alive);

    /// <summary>
    /// The job's log from byte <paramref name="offset"/> on (at most 1 MiB, cut at a whole UTF-8 character). Ended: the
    /// job has ended and this read reached the end of its log.
    /// </summary>
    public async Task<JobLogChunk> ReadLogAsync(string id, long offset, CancellationToken cancellationToken)
    {
        if (offset < 0) throw JobRequestException.BadRequest($"offset={offset}: a log offset is a byte position, 0 or more.");
        var job = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        // Read before the file: once the job has ended here its log no longer grows, so reaching its end means all was read.
        var ended = job.HasEnded && !_runs.ContainsKey(id);
        var path = LogPath(id);
        if (!File.Exists(path))
        {
            if (job.HeadNode != _head && !job.HasEnded)
                throw JobRequestException.NotFound($"Job '{id}' runs on the head node {job.HeadNode}, which keeps its log: ask that head's web service.");
            return new JobLogChunk("", offset, offset, ended);
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = file.Length;
        if (offset >= length) return new JobLogChunk("", offset, offset, ended);
        file.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[(int)Math.Min(MaxLogChunk, length - offset)];
        var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var whole = read == length - offset && ended ? read : CompleteUtf8(buffer.AsSpan(0, read));
        return new JobLogChunk(System.Text.Encoding.UTF8.GetString(buffer, 0, whole), offset, offset + whole, ended && offset + whole >= length);
    }

    /// <summary>How many leading bytes of <paramref name="bytes"/> hold whole UTF-8 characters (a write may end mid-character).</summary>
    internal static int CompleteUtf8(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80) continue; // a continuation byte: look further back for its lead
            var needed = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }

    /// <summary>
    /// Marks FAILED every PENDING or RUNNING job that no head runs: one recorded for this node that this supervisor
    /// does not run, or for a head node that is no longer alive (it stopped or died with its drivers).
    /// </summary>
    public async Task SweepAsync()
    {
        var open = (await _gcs.GetSubmittedJobsAsync().ConfigureAwait(false)).Where(j => !j.HasEnded && !_runs.ContainsKey(j.Id)).ToArray();
        if (open.Length == 0) return;
        var alive = (await _gcs.GetNodesAsync().ConfigureAwait(false)).Where(n => n.State == NodeState.Alive).Select(n => n.NodeId).ToHashSet();
        foreach (var job in open.Where(j => j.HeadNode == _head || !alive.Contains(j.HeadNode)))
        {
            if (_runs.ContainsKey(job.Id)) continue;
            JobLog.Orphaned(_logger, job.Id, job.Status.ToString().ToUpperInvariant(), job.HeadNode.Value);
            await EndAsync(job, job.Status, SubmittedJobStatus.Failed, HeadStoppedMessage, exitCode: null).ConfigureAwait(false);
        }
    }

    private async Task SweepLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(SweepEvery);
        do
        {
            try { await SweepAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException) { JobLog.SweepFailed(_logger, e); }
        }
        while (await NextTickAsync(timer, stop).ConfigureAwait(false));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try { return await timer.WaitForNextTickAsync(stop).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        _sweeping = Task.Run(() => SweepLoopAsync(_shutdown.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>The head stops: its drivers are stopped with it (they would run on unsupervised) and their jobs FAILED.</summary>
    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _sweeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var runs = _runs.ToArray();
        await Task.WhenAll(runs.Select(r => StopRunAsync(r.Key, r.Value, headStopping: true))).ConfigureAwait(false);
        await Task.WhenAll(runs.Select(r => r.Value.Completion)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
