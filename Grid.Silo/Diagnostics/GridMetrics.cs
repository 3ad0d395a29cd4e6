using System.Diagnostics.Metrics;
using Grid.Silo.State;

namespace Grid.Silo.Diagnostics;

/// <summary>
/// The runtime's System.Diagnostics.Metrics instruments (tasks, actors, scheduling, resources): one meter instance per
/// node (a DI singleton; several silos in one process each have their own), every measurement tagged <c>node</c> =
/// the node id. Names and units are chosen for OpenTelemetry's Prometheus exporter: a counter "grid.tasks.finished" of
/// unit "{task}" is scraped as <c>grid_tasks_finished_total</c>, a histogram of unit "s" as
/// <c>grid_tasks_scheduling_latency_seconds_bucket</c>.
/// <para>
/// Task counts are observed from the node's <see cref="TaskRecords"/> (exact, by function name and latest state), so a
/// task costs the metrics nothing but its scheduling latency's record; observable instruments read what the raylet and
/// the actors keep anyway, when a reader collects.
/// </para>
/// </summary>
internal sealed class GridMetrics : IDisposable
{
    /// <summary>The meter's name (exporters subscribe to it, and to the object store's "Grid.ObjectStore").</summary>
    public const string MeterName = "Grid.Runtime";

    /// <summary>Counter ({task}; tags node, name = function): task attempts that reached this node's queue. A task forwarded to another node (spilled, pinned elsewhere) counts on the node that runs it. Prometheus: grid_tasks_submitted_total.</summary>
    public const string TasksSubmitted = "grid.tasks.submitted";

    /// <summary>Gauge ({task}; tags node, name): tasks on this node waiting for their arguments or for resources. Prometheus: grid_tasks_pending.</summary>
    public const string TasksPending = "grid.tasks.pending";

    /// <summary>Gauge ({task}; tags node, name): tasks whose code runs on this node now. Prometheus: grid_tasks_running.</summary>
    public const string TasksRunning = "grid.tasks.running";

    /// <summary>Counter ({task}; tags node, name): tasks that returned on this node. Prometheus: grid_tasks_finished_total.</summary>
    public const string TasksFinished = "grid.tasks.finished";

    /// <summary>Counter ({task}; tags node, name): tasks that failed on this node (threw, were cancelled, lost an argument, their job ended). Prometheus: grid_tasks_failed_total.</summary>
    public const string TasksFailed = "grid.tasks.failed";

    /// <summary>Histogram (s; tag node): seconds from a task's arrival on this node to the start of its code (its arguments and resources waited for). Prometheus: grid_tasks_scheduling_latency_seconds_bucket/_sum/_count.</summary>
    public const string SchedulingLatency = "grid.tasks.scheduling_latency";

    /// <summary>Gauge ({request}; tag node): requests (tasks and actor reservations) queued on this node for resources. Prometheus: grid_scheduler_queue_length.</summary>
    public const string QueueLength = "grid.scheduler.queue_length";

    /// <summary>Gauge ({request}; tags node, reason): what waits on this node by why, e.g. reason = "waiting for resources: GPU", or "infeasible" (no node can run it). Prometheus: grid_scheduler_pending.</summary>
    public const string PendingByReason = "grid.scheduler.pending";

    /// <summary>Gauge ({actor}; tags node, state = ALIVE | PENDING): actors hosted on this node, built (ALIVE) or with resources reserved and being built (PENDING). Prometheus: grid_actors.</summary>
    public const string ActorsByState = "grid.actors";

    /// <summary>Counter ({call}; tags node, class = actor class): actor method calls run on this node. Prometheus: grid_actors_calls_total.</summary>
    public const string ActorCalls = "grid.actors.calls";

    /// <summary>Gauge (tags node, resource = CPU, GPU, memory (bytes), custom names): resources in use on this node. Prometheus: grid_resources_used.</summary>
    public const string ResourcesUsed = "grid.resources.used";

    /// <summary>Gauge (tags node, resource): resources this node declares. Prometheus: grid_resources_capacity.</summary>
    public const string ResourcesCapacity = "grid.resources.capacity";

    private static readonly double[] LatencyBuckets = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

    private readonly Meter _meter = new(MeterName);
    private readonly KeyValuePair<string, object?> _node;
    private readonly TaskRecords _tasks;
    private readonly Histogram<double> _schedulingLatency;
    private readonly Counter<long> _actorCalls;

    public GridMetrics(NodeRuntime node, TaskRecords tasks, Raylet.NodeScheduler raylet, Grid.Silo.Actors.LocalActors actors)
    {
        _node = new("node", node.NodeId.Value);
        _tasks = tasks;

        _meter.CreateObservableCounter(TasksSubmitted, () => TaskCounts(static c => c[0] + c[1] + c[2] + c[3]), "{task}",
            "Task attempts that reached this node's queue, by function name");
        _meter.CreateObservableUpDownCounter(TasksPending, () => TaskCounts(static c => c[0]), "{task}",
            "Tasks on this node waiting for their arguments or resources, by function name");
        _meter.CreateObservableUpDownCounter(TasksRunning, () => TaskCounts(static c => c[1]), "{task}",
            "Tasks whose code runs on this node now, by function name");
        _meter.CreateObservableCounter(TasksFinished, () => TaskCounts(static c => c[2]), "{task}",
            "Tasks that finished on this node, by function name");
        _meter.CreateObservableCounter(TasksFailed, () => TaskCounts(static c => c[3]), "{task}",
            "Tasks that failed on this node (threw, were cancelled, lost an argument), by function name");
        _schedulingLatency = _meter.CreateHistogram<double>(SchedulingLatency, "s",
            "Seconds from a task's arrival on this node to the start of its code (arguments and resources waited for)",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _meter.CreateObservableUpDownCounter(QueueLength, () => new Measurement<int>(raylet.QueuedCount, _node), "{request}",
            "Requests (tasks and actor reservations) queued on this node for resources");
        _meter.CreateObservableUpDownCounter(PendingByReason, () => PendingReasons(raylet), "{request}",
            "Requests waiting on this node, by reason");
        _meter.CreateObservableUpDownCounter(ActorsByState, () => ActorMeasurements(raylet, actors), "{actor}",
            "Actors hosted on this node by state: ALIVE (built), PENDING (resources reserved, being built)");
        _actorCalls = _meter.CreateCounter<long>(ActorCalls, "{call}", "Actor method calls run on this node, by actor class");
        _meter.CreateObservableGauge(ResourcesUsed, () => Resources(raylet, used: true), null,
            "Resources in use on this node, by resource name (CPU, GPU, memory in bytes, custom)");
        _meter.CreateObservableGauge(ResourcesCapacity, () => Resources(raylet, used: false), null,
            "Resources this node declares, by resource name (CPU, GPU, memory in bytes, custom)");
    }

    /// <summary>This node's meter instance (tests listen to it alone).</summary>
    internal Meter Meter => _meter;

    /// <summary>A task's code starts, <paramref name="waitedSeconds"/> after it reached this node.</summary>
    public void TaskStarted(double waitedSeconds) => _schedulingLatency.Record(waitedSeconds, _node);

    /// <summary>An actor method call of <paramref name="className"/> starts its turn here.</summary>
    public void ActorCall(string className) => _actorCalls.Add(1, _node, new KeyValuePair<string, object?>("class", className));

    /// <summary>An actor class's tag: its full type name without the assembly ("Shop.Cart" of "Shop.Cart, Shop, Version=…").</summary>
    public static string ClassTag(string assemblyQualifiedName) =>
        assemblyQualifiedName.IndexOf(',') is > 0 and var comma ? assemblyQualifiedName[..comma] : assemblyQualifiedName;

    public void Dispose() => _meter.Dispose();

    private List<Measurement<long>> TaskCounts(Func<long[], long> pick)
    {
        var measurements = new List<Measurement<long>>();
        _tasks.ForEachCount((this, measurements, pick), static (s, name, counts) =>
            s.measurements.Add(new Measurement<long>(s.pick(counts), s.Item1._node, new KeyValuePair<string, object?>("name", name))));
        return measurements;
    }

    private IEnumerable<Measurement<int>> PendingReasons(Raylet.NodeScheduler raylet) =>
        raylet.PendingByReason().Select(r => new Measurement<int>(r.Value, _node, new KeyValuePair<string, object?>("reason", r.Key)));

    private Measurement<int>[] ActorMeasurements(Raylet.NodeScheduler raylet, Grid.Silo.Actors.LocalActors actors)
    {
        var alive = actors.Count;
        return
        [
            new(alive, _node, new KeyValuePair<string, object?>("state", "ALIVE")),
            new(Math.Max(0, raylet.ReservedActorCount - alive), _node, new KeyValuePair<string, object?>("state", "PENDING")),
        ];
    }

    private IEnumerable<Measurement<double>> Resources(Raylet.NodeScheduler raylet, bool used)
    {
        var (total, available) = raylet.Resources();
        foreach (var name in total.Names)
            yield return new Measurement<double>(used ? total[name] - available[name] : total[name], _node, new KeyValuePair<string, object?>("resource", name));
    }
}
