namespace Grid.Grains;

/// <summary>
/// One placement group: reserves its bundles on nodes all-or-nothing (retrying as the cluster
/// changes), answers where they are, and returns them on removal. Keyed by the group id.
/// </summary>
internal interface IPlacementGroupGrain : IGrainWithStringKey
{
    /// <summary>Starts reserving the group described by <paramref name="group"/>; idempotent.</summary>
    Task<PlacementGroupInfo> Create(PlacementGroupInfo group);

    /// <summary>Completes once every bundle is reserved; fails with <see cref="PlacementGroupRemovedException"/> if the group was removed or is unknown.</summary>
    [AlwaysInterleave, ResponseTimeout(GridTimeouts.LongCall)]
    Task<PlacementGroupInfo> WaitReady();

    /// <summary>The group's state, bundles' nodes and pending reason; null for an unknown group.</summary>
    [AlwaysInterleave]
    Task<PlacementGroupInfo?> GetInfo();

    /// <summary>Returns every bundle's resources, stopping what runs in them; idempotent.</summary>
    [AlwaysInterleave]
    Task Remove();
}
