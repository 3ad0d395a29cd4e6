using Grid.Grains;

namespace Grid;

public sealed partial class GridClient
{
    /// <summary>
    /// Reserves <paramref name="bundles"/> together (all or none) by <paramref name="strategy"/>,
    /// e.g. <c>[new() { ["CPU"] = 1, ["GPU"] = 1 }, ...]</c>. Returns after the cluster's first try to
    /// reserve them (a group that must wait for resources or nodes is returned pending); await
    /// <see cref="PlacementGroup.ReadyAsync"/> for the reservation.
    /// </summary>
    public async Task<PlacementGroup> CreatePlacementGroupAsync(IEnumerable<IReadOnlyDictionary<string, double>> bundles,
        PlacementGroupStrategy strategy = PlacementGroupStrategy.Pack, string? name = null, CancellationToken cancellationToken = default)
    {
        var sets = bundles.Select((b, i) =>
        {
            var set = ResourceSet.From(b);
            return set.IsEmpty ? throw new ArgumentException($"Bundle {i} asks for no resources; every bundle needs at least one positive amount.", nameof(bundles)) : set;
        }).ToArray();
        if (sets.Length == 0) throw new ArgumentException("A placement group needs at least one bundle.", nameof(bundles));
        cancellationToken.ThrowIfCancellationRequested();
        var id = PlacementGroupId.New();
        var created = await Worker.Grains.GetGrain<IPlacementGroupGrain>(id.Value).Create(new PlacementGroupInfo
        {
            Id = id, Name = name, Bundles = sets, Strategy = strategy,
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new PlacementGroup(Worker.Grains, id, sets, strategy, created.State == PlacementGroupState.Created);
    }
}
