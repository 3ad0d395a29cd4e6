namespace Grid;

/// <summary>Identity of a placement group.</summary>
[GenerateSerializer, Immutable]
public readonly record struct PlacementGroupId([property: Id(0)] string Value)
{
    public static PlacementGroupId New() => new(Guid.NewGuid().ToString("N")[..16]);
    public override string ToString() => Value;
}

/// <summary>
/// How a placement group's bundles are laid over nodes (Ray's PACK, SPREAD, STRICT_PACK,
/// STRICT_SPREAD). Named so as not to clash with Orleans' own <c>PlacementStrategy</c>.
/// </summary>
public enum PlacementGroupStrategy : byte
{
    /// <summary>As few nodes as possible (best effort).</summary>
    Pack,
    /// <summary>As many nodes as possible (best effort).</summary>
    Spread,
    /// <summary>All bundles on one node, or the group stays pending.</summary>
    StrictPack,
    /// <summary>Every bundle on a different node, or the group stays pending.</summary>
    StrictSpread,
}

/// <summary>
/// A group's life, as Ray's: pending until every bundle is reserved, created, rescheduling while bundles whose node
/// died are reserved again elsewhere (the others stay), removed for good.
/// </summary>
public enum PlacementGroupState : byte { Pending, Created, Removed, Rescheduling }

/// <summary>What a placement group is, where its bundles live once created, and why it waits if it does.</summary>
[GenerateSerializer, Immutable]
public sealed record PlacementGroupInfo
{
    [Id(0)] public required PlacementGroupId Id { get; init; }
    [Id(1)] public string? Name { get; init; }
    [Id(2)] public required ResourceSet[] Bundles { get; init; }
    [Id(3)] public PlacementGroupStrategy Strategy { get; init; }
    [Id(4)] public PlacementGroupState State { get; init; }
    /// <summary>The node of each bundle, once created.</summary>
    [Id(5)] public NodeId[] BundleNodes { get; init; } = [];
    /// <summary>Why a pending group is not created yet, e.g. "STRICT_SPREAD needs 4 nodes, the cluster has 3".</summary>
    [Id(6)] public string? PendingReason { get; init; }
}

/// <summary>
/// Resource names a placement group's reservation goes by on its nodes (as Ray names them): a bundle
/// with {CPU: 2} on a node adds "CPU_group_0_&lt;pg&gt;" (that bundle) and "CPU_group_&lt;pg&gt;" (any bundle)
/// to the node's ledger, and work in the group asks for those instead of plain CPU.
/// </summary>
public static class BundleResources
{
    /// <summary>A marker every bundle carries, so that work asking for no resources still lands in a bundle.</summary>
    public const string BundleMarker = "bundle";
    public const double MarkerAmount = 1000;
    private const double MarkerPerTask = 0.001;

    public static string Indexed(string resource, int index, PlacementGroupId group) => $"{resource}_group_{index}_{group.Value}";
    public static string Wildcard(string resource, PlacementGroupId group) => $"{resource}_group_{group.Value}";
    public static bool IsGroupResource(string resource) => resource.Contains("_group_", StringComparison.Ordinal);

    // Without building "_" + id: removing a group tests every name in a node's ledger.
    public static bool BelongsTo(string resource, PlacementGroupId group) =>
        resource.Length > group.Value.Length && resource[^(group.Value.Length + 1)] == '_'
        && resource.EndsWith(group.Value, StringComparison.Ordinal) && resource.Contains("_group_", StringComparison.Ordinal);

    /// <summary>What a reserved bundle adds to its node's ledger.</summary>
    public static ResourceSet Reserved(ResourceSet bundle, int index, PlacementGroupId group) =>
        ResourceSet.From(bundle.Names.Append(BundleMarker).SelectMany(name =>
        {
            var amount = name == BundleMarker ? MarkerAmount : bundle[name];
            return new[] { KeyValuePair.Create(Indexed(name, index, group), amount), KeyValuePair.Create(Wildcard(name, group), amount) };
        }));

    /// <summary>What work placed in the group asks for instead of <paramref name="need"/>.</summary>
    public static ResourceSet Rewrite(ResourceSet need, int bundleIndex, PlacementGroupId group) =>
        ResourceSet.From(need.Names.Select(n => KeyValuePair.Create(n, need[n])).Append(KeyValuePair.Create(BundleMarker, MarkerPerTask)).SelectMany(kv =>
            bundleIndex < 0
                ? new[] { KeyValuePair.Create(Wildcard(kv.Key, group), kv.Value) }
                : new[] { KeyValuePair.Create(Indexed(kv.Key, bundleIndex, group), kv.Value), KeyValuePair.Create(Wildcard(kv.Key, group), kv.Value) }));
}
