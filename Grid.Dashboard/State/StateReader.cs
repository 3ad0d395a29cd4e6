using Grid.Dashboard.Jobs;
using Grid.Grains;
using Grid.Memory;
using Grid.Silo;
using Grid.State;
using Grid.Wire;

namespace Grid.Dashboard.State;

/// <summary>
/// Builds the state API's records from where the state lives: the GCS (nodes, actors, placement groups; through
/// <see cref="GcsAccess"/>), the nodes themselves (live figures and task records; through <see cref="NodeProbe"/>), the
/// stores and owners (objects: the memory summary), and the <see cref="JobDirectory"/> (jobs). Each listing comes in a
/// stable order, so that paging through it sees every record once.
/// </summary>
internal sealed class StateReader(GcsAccess gcs, NodeProbe probe, NodeRuntime node, JobDirectory jobs, ClusterMonitor monitor, DashboardOptions options)
{
    // The memory summary asks every store and then every owner (each owner waits up to 10 s): a bound above those.
    private static readonly TimeSpan ObjectsPatience = TimeSpan.FromSeconds(30);

    public Task<NodeInfo[]> NodeInfosAsync(CancellationToken cancellationToken) => gcs.ReadAsync(g => g.GetNodesAsync(), cancellationToken);

    public async Task<IReadOnlyList<NodeView>> NodesAsync(CancellationToken cancellationToken)
    {
        var nodes = await NodeInfosAsync(cancellationToken).ConfigureAwait(false);
        var stats = await probe.StatsAsync(nodes, cancellationToken).ConfigureAwait(false);
        return [.. nodes.Select(n => View(n, stats.GetValueOrDefault(n.NodeId)))
            .OrderByDescending(n => n.IsHead).ThenBy(n => n.State, StringComparer.Ordinal).ThenBy(n => n.NodeId, StringComparer.Ordinal)];
    }

    private NodeView View(NodeInfo n, NodeStats? s) => new()
    {
        NodeId = n.NodeId.Value,
        State = StateNames.Of(n.State),
        IsHead = n.NodeId == node.NodeId || s?.IsHead == true,
        Address = n.GatewayAddress,
        HostName = n.HostName,
        Resources = Use(n.Total, n.Available),
        Labels = n.Labels,
        CpuPercent = s?.CpuPercent,
        MemoryBytes = s?.MemoryBytes,
        MachineCpuPercent = s?.MachineCpuPercent,
        MachineMemoryUsedBytes = s?.MachineMemoryUsedBytes,
        MachineMemoryTotalBytes = s?.MachineMemoryTotalBytes,
        ObjectStoreUsedBytes = s?.ObjectStoreUsedBytes,
        ObjectStoreCapacityBytes = s?.ObjectStoreCapacityBytes,
        ObjectStoreSpilledBytes = s?.ObjectStoreSpilledBytes,
        QueuedTasks = n.QueuedTasks,
        PendingReasons = n.PendingReasons,
        Pid = s?.Pid,
        StartTime = s?.StartTime,
        LastHeartbeat = n.LastHeartbeat,
        MetricsUrl = s?.MetricsUrl,
    };

    /// <summary>A node's resources in use and in total, by name; placement-group reservations (CPU_group_…) are in the plain names already.</summary>
    private static Dictionary<string, ResourceUse> Use(ResourceSet total, ResourceSet available) =>
        total.Names.Where(r => !BundleResources.IsGroupResource(r))
            .ToDictionary(r => r, r => new ResourceUse(Math.Max(0, total[r] - available[r]), total[r]));

    public async Task<IReadOnlyList<ActorView>> ActorsAsync(CancellationToken cancellationToken)
    {
        var actors = await gcs.ReadAsync(g => g.GetActorsAsync(), cancellationToken).ConfigureAwait(false);
        // Actors run in their node's process: that process's id is the actor's pid-equivalent.
        var nodes = await NodeInfosAsync(cancellationToken).ConfigureAwait(false);
        var pids = (await probe.StatsAsync(nodes, cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Key, s => s.Value.Pid);
        return [.. actors.Select(a => new ActorView
        {
            ActorId = a.ActorId.Value,
            ClassName = TypeName(a.ClassName),
            Name = a.Name,
            Namespace = a.Namespace,
            State = StateNames.Of(a.State),
            NodeId = a.Node?.Value,
            JobId = a.Job.Value,
            Resources = a.Resources.ToDictionary(),
            RestartCount = a.RestartCount,
            MaxRestarts = a.MaxRestarts,
            Detached = a.Lifetime == ActorLifetime.Detached,
            Pid = a.State == ActorState.Alive && a.Node is { } at && pids.TryGetValue(at, out var pid) ? pid : null,
            CreatedAt = a.CreatedAt,
            DiedAt = a.State == ActorState.Dead ? a.DiedAt : null,
            DeathCause = a.DeathCause,
            PendingReason = a.PendingReason,
        }).OrderBy(a => a.CreatedAt ?? DateTimeOffset.MaxValue).ThenBy(a => a.ActorId, StringComparer.Ordinal)];
    }

    /// <summary>A class as users name it: its full name, without the assembly the GCS records (Namespace.Type, generics included).</summary>
    public static string TypeName(string assemblyQualified)
    {
        var depth = 0;
        for (var i = 0; i < assemblyQualified.Length; i++)
        {
            switch (assemblyQualified[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case ',' when depth == 0: return assemblyQualified[..i];
            }
        }
        return assemblyQualified;
    }

    public async Task<IReadOnlyList<TaskView>> TasksAsync(CancellationToken cancellationToken)
    {
        var nodes = await NodeInfosAsync(cancellationToken).ConfigureAwait(false);
        var records = await probe.TasksAsync(nodes, cancellationToken).ConfigureAwait(false);
        return [.. records.Select(r => new TaskView
        {
            TaskId = r.Record.TaskId.ToString(),
            Name = r.Record.Name,
            State = StateNames.Of(r.Record.State),
            NodeId = r.Node.Value,
            JobId = r.Record.Job.Value,
            Attempt = r.Record.Attempt,
            QueuedAt = r.Record.QueuedAt,
            StartedAt = r.Record.StartedAt,
            EndedAt = r.Record.EndedAt,
            Error = r.Record.Error,
        }).OrderByDescending(t => t.QueuedAt).ThenBy(t => t.TaskId, StringComparer.Ordinal).ThenBy(t => t.Attempt)];
    }

    public async Task<MemorySummary> MemoryAsync(CancellationToken cancellationToken)
    {
        // The GCS first, through its timeout: a head without its GCS answers 503 at once rather than after the summary's own waits.
        await NodeInfosAsync(cancellationToken).ConfigureAwait(false);
        return await gcs.ReadAsync(_ => MemorySummaries.BuildAsync(node.Worker), ObjectsPatience, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ObjectView>> ObjectsAsync(CancellationToken cancellationToken) =>
        [.. (await MemoryAsync(cancellationToken).ConfigureAwait(false)).Rows.Select(r => new ObjectView
        {
            ObjectId = r.Id.ToString(),
            NodeId = r.Node.Value,
            SizeBytes = r.Size,
            Owner = r.Owner,
            Spilled = r.Spilled,
            LocalRefs = r.References?.Local,
            SubmittedRefs = r.References?.Submitted,
            Borrowers = r.References?.Borrowers,
        })];

    public async Task<IReadOnlyList<PlacementGroupView>> PlacementGroupsAsync(CancellationToken cancellationToken)
    {
        var groups = await gcs.ReadAsync(g => g.GetPlacementGroupsAsync(), cancellationToken).ConfigureAwait(false);
        return [.. groups.Select(g => new PlacementGroupView
        {
            PlacementGroupId = g.Id.Value,
            Name = g.Name,
            State = StateNames.Of(g.State),
            Strategy = StateNames.Of(g.Strategy),
            Bundles = [.. g.Bundles.Select(b => (IReadOnlyDictionary<string, double>)b.ToDictionary())],
            BundleNodes = [.. g.Bundles.Select((_, i) => i < g.BundleNodes.Length ? g.BundleNodes[i].Value : null)],
            PendingReason = g.PendingReason,
        }).OrderBy(g => g.PlacementGroupId, StringComparer.Ordinal)];
    }

    /// <summary>The job directory reads the GCS: through the same timeout, so a GCS outage is a 503 here too.</summary>
    public Task<IReadOnlyList<JobView>> JobsAsync(CancellationToken cancellationToken) => gcs.ReadAsync(_ => jobs.ListAsync(cancellationToken), cancellationToken);

    /// <summary>The cluster's address as drivers use it: the one the head was given, else its Redis's, else "local".</summary>
    public string ClusterAddress => !string.IsNullOrEmpty(options.ClusterAddress) ? options.ClusterAddress
        : gcs.Gcs is Grid.Silo.Gcs.RedisGcs redis ? redis.Options.Address : "local";

    public async Task<ClusterOverview> OverviewAsync(CancellationToken cancellationToken)
    {
        var nodes = await NodeInfosAsync(cancellationToken).ConfigureAwait(false);
        var statsTask = probe.StatsAsync(nodes, cancellationToken);
        var actors = await gcs.ReadAsync(g => g.GetActorsAsync(), cancellationToken).ConfigureAwait(false);
        var groups = await gcs.ReadAsync(g => g.GetPlacementGroupsAsync(), cancellationToken).ConfigureAwait(false);
        var jobList = await JobsAsync(cancellationToken).ConfigureAwait(false);
        var stats = (await statsTask.ConfigureAwait(false)).Values.ToList();
        var alive = nodes.Where(n => n.State == NodeState.Alive).ToList();
        var resources = alive.SelectMany(n => Use(n.Total, n.Available)).GroupBy(kv => kv.Key)
            .ToDictionary(g => g.Key, g => new ResourceUse(g.Sum(kv => kv.Value.Used), g.Sum(kv => kv.Value.Total)));
        return new ClusterOverview
        {
            Address = ClusterAddress,
            NodesAlive = alive.Count,
            NodesDead = nodes.Length - alive.Count,
            Resources = resources,
            TasksByState = StateSummaries.TaskCounts(stats).ByState,
            ActorsByState = actors.GroupBy(a => StateNames.Of(a.State)).ToDictionary(g => g.Key, g => g.Count()),
            JobsByState = jobList.GroupBy(j => j.Status).ToDictionary(g => g.Key, g => g.Count()),
            PlacementGroups = groups.Count(g => g.State != PlacementGroupState.Removed),
            ObjectStoreUsedBytes = stats.Sum(s => s.ObjectStoreUsedBytes),
            ObjectStoreCapacityBytes = stats.Sum(s => s.ObjectStoreCapacityBytes),
            ObjectStoreSpilledBytes = stats.Sum(s => s.ObjectStoreSpilledBytes),
            TasksFinishedPerSecond = monitor.Latest?.FinishedPerSecond ?? 0,
            Time = DateTimeOffset.UtcNow,
        };
    }

    public async Task<IReadOnlyList<NodeStats>> StatsAsync(CancellationToken cancellationToken)
    {
        var nodes = await NodeInfosAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await probe.StatsAsync(nodes, cancellationToken).ConfigureAwait(false)).Values];
    }
}
