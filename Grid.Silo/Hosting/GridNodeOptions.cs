namespace Grid.Silo;

/// <summary>What a node declares and how it behaves (bound from configuration or set in code).</summary>
public sealed class GridNodeOptions
{
    /// <summary>CPUs this node offers to tasks; bounds how many 1-CPU tasks run at once. Defaults to the machine's cores.</summary>
    public double NumCpus { get; set; } = Environment.ProcessorCount;
    public double NumGpus { get; set; }
    /// <summary>Memory in bytes that tasks and actors may reserve (TaskOptions.Memory); not declared (0) unless set: work asking for memory then waits as infeasible.</summary>
    public double? Memory { get; set; }
    /// <summary>Custom resources, e.g. { ["accelerator"] = 2 }.</summary>
    public Dictionary<string, double> Resources { get; set; } = [];
    /// <summary>Labels that programs can select nodes by, e.g. { ["zone"] = "a" }.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>Values up to this size travel inside messages; larger ones go to the object store.</summary>
    public int InlineThreshold { get; set; } = Core.CoreWorker.DefaultInlineThreshold;
    /// <summary>
    /// The most bytes of task specs this node's core worker (for what its tasks and actors submit) keeps as lineage, to rebuild the stored results it owns when their node
    /// dies (Ray's <c>max_lineage_bytes</c>). A result submitted past it cannot be rebuilt: its loss is an
    /// <see cref="ObjectLostException"/>. A spec's bytes are released when its result is freed.
    /// </summary>
    public long MaxLineageBytes { get; set; } = Core.CoreWorker.DefaultMaxLineageBytes;
    /// <summary>How often availability is published to and read from the GCS (when it changed).</summary>
    public TimeSpan ResourceReportInterval { get; set; } = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// How long a client (driver) may go without renewing its job's lease before the cluster takes it for dead: its
    /// job is marked failed, its objects are freed, its borrows released and its non-detached actors killed. Clients
    /// renew every <c>GridClientOptions.LeaseRenewal</c> (2 s by default); a dead client is found within this plus a
    /// fifth of it. Generous on purpose: a live client whose gateway silo died renews again only once Orleans moved it
    /// to another gateway, and one taken for dead loses its objects and actors.
    /// </summary>
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// How many task records this node keeps for the state API and the dashboard (Ray's task events, bounded per node):
    /// one per task attempt that reached its queue; when full, the oldest ended record goes first. The counts by
    /// function name and state stay exact whatever is dropped.
    /// </summary>
    public int TaskRecordCapacity { get; set; } = 10_000;

    public ResourceSet ToResourceSet()
    {
        var all = new List<KeyValuePair<string, double>>
        {
            KeyValuePair.Create(ResourceSet.Cpu, NumCpus),
            KeyValuePair.Create(ResourceSet.Gpu, NumGpus),
            KeyValuePair.Create(ResourceSet.Memory, Memory ?? 0),
        };
        all.AddRange(Resources);
        return ResourceSet.From(all);
    }
}
