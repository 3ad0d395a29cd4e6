using Grid.Dashboard.Diagnostics;
using Grid.Grains;
using Grid.State;
using Grid.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Dashboard.State;

/// <summary>
/// The head's memory of the last minutes (<c>GET /api/history</c>, the dashboard's charts): once a second it asks every
/// alive node for its stats and keeps, per node, <see cref="Keep"/> of <see cref="NodeSample"/>s, and for the cluster the
/// tasks finished per second (each node's <c>TasksEnded</c> differenced over its own interval, summed), running and
/// pending. Nothing is stored elsewhere: a restarted head starts with an empty history.
/// </summary>
internal sealed class ClusterMonitor(GcsAccess gcs, NodeProbe probe, ILogger<ClusterMonitor> logger, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Keep = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<NodeSample>> _nodes = new(StringComparer.Ordinal);
    private readonly Queue<TaskRateSample> _tasks = new();
    private readonly Dictionary<NodeId, (long Ended, DateTimeOffset Time)> _ended = [];
    private bool _failing;

    /// <summary>The newest cluster-wide sample; null before the first.</summary>
    public TaskRateSample? Latest { get; private set; }

    /// <summary>The samples of the last <paramref name="minutes"/> minutes (at most <see cref="Keep"/>), oldest first.</summary>
    public ClusterHistory History(double minutes)
    {
        var since = time.GetUtcNow() - TimeSpan.FromMinutes(Math.Clamp(minutes, 0, Keep.TotalMinutes));
        lock (_lock)
            return new ClusterHistory
            {
                Nodes = _nodes.ToDictionary(n => n.Key, n => (IReadOnlyList<NodeSample>)[.. n.Value.Where(s => s.Time >= since)]),
                Tasks = [.. _tasks.Where(s => s.Time >= since)],
            };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
                _failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per outage, not once a second.
                if (!_failing) DashboardLog.SampleFailed(logger, e);
                _failing = true;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Takes one sample of every alive node (those that answer within the probe's patience).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var nodes = await gcs.ReadAsync(g => g.GetNodesAsync(), cancellationToken).ConfigureAwait(false);
        var stats = await probe.StatsAsync(nodes, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            double finishedPerSecond = 0;
            long running = 0, pending = 0;
            foreach (var (id, s) in stats)
            {
                if (!_nodes.TryGetValue(id.Value, out var samples)) _nodes[id.Value] = samples = new Queue<NodeSample>();
                samples.Enqueue(new NodeSample(now, s.CpuPercent, s.MemoryBytes, s.MachineCpuPercent, s.MachineMemoryUsedBytes, s.ObjectStoreUsedBytes));
                if (_ended.TryGetValue(id, out var before) && now > before.Time)
                    finishedPerSecond += Math.Max(0, s.TasksEnded - before.Ended) / (now - before.Time).TotalSeconds;
                _ended[id] = (s.TasksEnded, now);
                foreach (var counts in s.TaskCountsByName.Values)
                {
                    running += counts.ElementAtOrDefault((int)TaskRecordState.Running);
                    pending += counts.ElementAtOrDefault((int)TaskRecordState.Pending);
                }
            }
            var sample = new TaskRateSample(now, finishedPerSecond, running, pending);
            _tasks.Enqueue(sample);
            Latest = sample;
            Trim(now - Keep);
        }
    }

    private void Trim(DateTimeOffset oldest)
    {
        while (_tasks.TryPeek(out var t) && t.Time < oldest) _tasks.Dequeue();
        foreach (var (id, samples) in _nodes.ToList())
        {
            while (samples.TryPeek(out var s) && s.Time < oldest) samples.Dequeue();
            if (samples.Count == 0) _nodes.Remove(id);
        }
        foreach (var (id, last) in _ended.ToList())
            if (last.Time < oldest) _ended.Remove(id);
    }
}
