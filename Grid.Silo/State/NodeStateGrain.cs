using Grid.Grains;
using Grid.ObjectStore;
using Grid.Silo.Diagnostics;
using Grid.Wire;

namespace Grid.Silo.State;

/// <summary>
/// A node's live figures and task records for the head's web service. Pinned to its silo and keyed by the node id, like
/// the raylet and <see cref="Jobs.NodeJobsGrain"/>: <c>GetGrain&lt;INodeStateGrain&gt;(nodeId.Value)</c>. Both calls
/// read what the node keeps anyway; nothing waits on the grain's scheduler for long.
/// </summary>
[NodePinnedPlacement, Reentrant]
internal sealed class NodeStateGrain(NodeRuntime node, TaskRecords records, NodeSampler sampler, LocalObjectStore store, NodeEndpoints endpoints)
    : Grain, INodeStateGrain
{
    public Task<NodeStats> GetStats()
    {
        var sample = sampler.Take();
        var (byName, ended, dropped) = records.Counts();
        return Task.FromResult(new NodeStats
        {
            NodeId = node.NodeId, Pid = sampler.Pid, StartTime = sampler.ProcessStart,
            CpuPercent = sample.CpuPercent, MemoryBytes = sample.MemoryBytes, MachineCpuPercent = sample.MachineCpuPercent,
            MachineMemoryUsedBytes = sample.MachineMemoryUsedBytes, MachineMemoryTotalBytes = sample.MachineMemoryTotalBytes,
            ObjectStoreUsedBytes = store.UsedBytes, ObjectStoreCapacityBytes = store.CapacityBytes, ObjectStoreSpilledBytes = store.SpilledBytes,
            MetricsUrl = endpoints.MetricsUrl, IsHead = endpoints.DashboardUrl is not null,
            TaskCountsByName = byName, TasksEnded = ended, TaskRecordsDropped = dropped,
        });
    }

    public Task<TaskRecord[]> GetTasks(TaskRecordState? state, JobId? job, string? name, int limit)
    {
        if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit of task records must be 0 or more.");
        return Task.FromResult(records.Query(state, job, name, limit));
    }
}
