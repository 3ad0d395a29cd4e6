namespace Grid.Grains;

/// <summary>
/// Places a grain on the silo whose node id (parsable silo address) is the grain's key: raylets,
/// owner endpoints and object stores are one per node and must live on it.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
internal sealed class NodePinnedPlacement : PlacementStrategy
{
    public static readonly NodePinnedPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class NodePinnedPlacementAttribute() : Orleans.Placement.PlacementAttribute(NodePinnedPlacement.Instance);

/// <summary>Returns the silo named by the grain's key; refuses when that silo is not in the cluster.</summary>
internal sealed class NodePinnedPlacementDirector : Orleans.Runtime.Placement.IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, Orleans.Runtime.Placement.PlacementTarget target, Orleans.Runtime.Placement.IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        var silo = SiloAddress.FromParsableString(key);
        if (context.GetCompatibleSilos(target).Contains(silo)) return Task.FromResult(silo);
        throw new NodeDiedException($"Node {key} is not in the cluster (it died or never joined); a grain pinned to it cannot be placed.");
    }
}
