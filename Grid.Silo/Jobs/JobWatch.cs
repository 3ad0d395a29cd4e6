using System.Diagnostics;
using Grid.Grains;
using Grid.Silo.Gcs;
using Grid.Silo.Raylet;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Jobs;

/// <summary>
/// Finds clients (drivers) that died without disposing: each renews its job's lease in the GCS (see
/// <c>JobRegistration</c>), and the node that watches ends the job of a lease that did not move for
/// <see cref="GridNodeOptions.ClientTimeout"/> as <see cref="JobStatus.Failed"/>, through the same path as a clean end
/// (<see cref="IGcsGrain.FinishJob"/>: actors killed, then every node drops the job and its owner's objects).
/// </summary>
/// <remarks>
/// A lease in the GCS rather than Orleans' gateway drop detection: a client connects to several gateways and may move
/// between them, Orleans tells a silo only about its own gateway's connections (through internal types), and a
/// client's death must be decided once for the cluster, survive the silo that saw it, and not depend on the
/// client's gateway staying up. One node watches — the first live node by id — so the leases are read once per
/// check, not once per node; when it dies the next one takes over. Renewal counts are compared on the watcher's own
/// clock, never two machines' clocks; after a failed read (Redis restarting) every lease starts a fresh timeout, so
/// a GCS outage never reads as every client dying.
/// </remarks>
internal sealed partial class JobWatch(IGcs gcs, ClusterView view, NodeRuntime node, IGrainFactory grains, ILogger<JobWatch> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Dictionary<JobId, (long Renewals, long SeenAt)> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobWatch), ServiceLifecycleStage.Active, _ =>
        {
            var timeout = node.Options.ClientTimeout;
            if (timeout <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(GridNodeOptions.ClientTimeout), timeout, "GridNodeOptions.ClientTimeout must be positive (30 s by default).");
            _loop = WatchAsync(timeout, _stop.Token);
            return Task.CompletedTask;
        }, async _ =>
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        });

    private async Task WatchAsync(TimeSpan timeout, CancellationToken stop)
    {
        var interval = timeout / 5;
        using var timer = new PeriodicTimer(interval);
        var fresh = true;
        var lastCheck = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                // A watcher that was itself stalled (thread pool starved, GC pause) cannot tell a silent client from
                // its own silence: every lease starts a fresh timeout instead.
                if (Stopwatch.GetElapsedTime(lastCheck) > 2 * interval) fresh = true;
                lastCheck = Stopwatch.GetTimestamp();
                if (!IsWatcher())
                {
                    fresh = true;
                    continue;
                }
                IReadOnlyDictionary<JobId, long> leases;
                try
                {
                    leases = await gcs.GetJobLeasesAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LeasesUnreadable(logger, e);
                    fresh = true;
                    continue;
                }
                Check(leases, timeout, fresh);
                fresh = false;
            }
        }
        catch (OperationCanceledException) { /* the silo stops */ }
    }

    /// <summary>The first live node watches; two watchers for a moment are harmless (ending a job twice is a no-op).</summary>
    private bool IsWatcher() => view.IsFirstLive(node.NodeId);

    private void Check(IReadOnlyDictionary<JobId, long> leases, TimeSpan timeout, bool fresh)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var gone in _seen.Keys.Where(j => !leases.ContainsKey(j)).ToArray()) _seen.Remove(gone);
        foreach (var (job, renewals) in leases)
        {
            if (fresh || !_seen.TryGetValue(job, out var seen) || seen.Renewals != renewals)
            {
                _seen[job] = (renewals, now);
                continue;
            }
            if (Stopwatch.GetElapsedTime(seen.SeenAt, now) < timeout) continue;
            _seen.Remove(job);
            _ = EndAsync(job, timeout);
        }
    }

    private async Task EndAsync(JobId job, TimeSpan timeout)
    {
        ClientDied(logger, job, timeout);
        try
        {
            await grains.GetGrain<IGcsGrain>(0).FinishJob(job, JobStatus.Failed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The lease is still there (the GCS did not record the end): the next check tries again after a timeout.
            EndFailed(logger, e, job);
        }
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "The client of job {Job} renewed nothing for {Timeout}: it is taken for dead, and its job ends as failed")]
    private static partial void ClientDied(ILogger logger, JobId job, TimeSpan timeout);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "Could not end job {Job} of a dead client; trying again at a later check")]
    private static partial void EndFailed(ILogger logger, Exception error, JobId job);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Debug, Message = "Could not read the job leases; every lease starts a fresh timeout once they can be read again")]
    private static partial void LeasesUnreadable(ILogger logger, Exception error);
}
