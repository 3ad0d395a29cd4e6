using System.Globalization;
using Grid.Silo.Raylet;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Grid.Silo.Placement;

/// <summary>
/// Keeps GPU actors on silos that have GPUs. A silo started with GPUs carries the silo metadata
/// <see cref="MetadataKey"/> (its GPU count); a caller placing a GPU actor sets
/// <see cref="RequestKey"/> in the request context. Orleans' built-in metadata filters compare with
/// the placing silo's own value, which is not "has a GPU", hence this filter. The raylet already
/// reserved the GPU on a chosen node and hints that node; this filter guarantees that even a wrong
/// or stale hint cannot land a GPU actor on a CPU-only silo.
/// </summary>
internal sealed class GpuPlacementFilterStrategy() : PlacementFilterStrategy(order: 0)
{
    /// <summary>Silo metadata: how many GPUs the silo declared.</summary>
    public const string MetadataKey = "grid.gpus";
    /// <summary>Request-context key set (to true) by whoever places an actor that needs a GPU.</summary>
    public const string RequestKey = "grid.needs-gpu";
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class GpuPlacementFilterAttribute() : PlacementFilterAttribute(new GpuPlacementFilterStrategy());

internal sealed class GpuPlacementFilterDirector(ISiloMetadataCache metadata, IServiceProvider services) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        if (target.RequestContextData is not { } data || !data.TryGetValue(GpuPlacementFilterStrategy.RequestKey, out var flag) || flag is not true)
            return silos;
        // Metadata reaches other silos a moment after a silo joins; the cluster view (which has each node's declared GPUs) fills that gap.
        var view = services.GetService(typeof(ClusterView)) as ClusterView;
        return silos.Where(silo => HasGpus(silo, view)).ToArray();
    }

    private bool HasGpus(SiloAddress silo, ClusterView? view)
    {
        if (metadata.GetSiloMetadata(silo).Metadata.TryGetValue(GpuPlacementFilterStrategy.MetadataKey, out var gpus))
            return double.TryParse(gpus, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0;
        var id = new NodeId(silo.ToParsableString());
        return view?.Nodes.FirstOrDefault(node => node.NodeId == id) is { } info && info.Total[ResourceSet.Gpu] > 0;
    }
}
