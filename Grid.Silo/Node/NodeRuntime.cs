using Grid.Core;
using Grid.Grains;
using Grid.ObjectStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.Silo;

/// <summary>
/// This silo as a Grid node: its id, its options, and its core worker, which owns the objects that
/// tasks and actors running here create and submits the work they submit.
/// </summary>
internal sealed class NodeRuntime
{
    public NodeRuntime(ILocalSiloDetails silo, IOptions<GridNodeOptions> options, IGrainFactory grains,
        LocalObjectStore store, ObjectManager objects, ILoggerFactory loggers)
    {
        NodeId = new NodeId(silo.SiloAddress.ToParsableString());
        // The store's and the puller's measurements name this node, as the runtime's do (Diagnostics.GridMetrics).
        store.MetricTags = objects.MetricTags = [new("node", NodeId.Value)];
        Options = options.Value;
        // What the GCS publishes about this node, so that `grid status` and clients can reach it.
        GatewayAddress = silo.GatewayAddress is { } gateway ? $"{gateway.Endpoint.Address}:{gateway.Endpoint.Port}" : "";
        HostName = silo.DnsHostName;
        Worker = new CoreWorker(grains, grains.GetGrain<INodeOwnerGrain>(NodeId.Value).GetGrainId(),
            new LocalNodeSelector(NodeId), objects, store, NodeId, loggers.CreateLogger<CoreWorker>(), Options.InlineThreshold)
        {
            MaxLineageBytes = Options.MaxLineageBytes,
        };
    }

    public NodeId NodeId { get; }
    public GridNodeOptions Options { get; }
    /// <summary>This silo's client gateway, "host:port"; empty when it has none.</summary>
    public string GatewayAddress { get; }
    public string HostName { get; }
    public CoreWorker Worker { get; }

    /// <summary>
    /// A GridClient for code running here on behalf of <paramref name="job"/>, in the job's namespace <paramref name="ns"/>;
    /// <paramref name="ownerActor"/> is the actor whose code uses it (it owns the actors that code creates).
    /// </summary>
    public GridClient ClientFor(JobId job, string ns, ActorId? ownerActor = null) => new(Worker, job) { Namespace = ns, OwnerActor = ownerActor };
}

/// <summary>Inside a silo, work goes to the local raylet first; it spills to other nodes when full.</summary>
internal sealed class LocalNodeSelector(NodeId local) : INodeSelector
{
    public NodeId Pick(IReadOnlyCollection<NodeId>? exclude = null) => local;
    public Task RefreshAsync() => Task.CompletedTask;
}
