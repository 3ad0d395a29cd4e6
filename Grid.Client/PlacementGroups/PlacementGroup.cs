using Grid.Grains;

namespace Grid;

/// <summary>
/// A set of resource bundles reserved together on the cluster (Ray's placement group). Create it
/// with <c>grid.CreatePlacementGroupAsync</c>, await <see cref="ReadyAsync"/>, then schedule tasks
/// and actors into it with <see cref="Bundle"/> (or <see cref="AnyBundle"/>) as their
/// <c>Scheduling</c>. <see cref="RemoveAsync"/> stops what runs in it and returns every resource.
/// </summary>
public sealed class PlacementGroup
{
    private readonly IGrainFactory _grains;
    // Readiness is a latch: once every bundle was reserved (seen at creation or by a wait), waiting again asks nothing.
    private volatile bool _ready;
    private volatile bool _removed;

    internal PlacementGroup(IGrainFactory grains, PlacementGroupId id, IReadOnlyList<ResourceSet> bundles, PlacementGroupStrategy strategy, bool ready = false)
    {
        _grains = grains;
        _ready = ready;
        Id = id;
        Bundles = bundles;
        Strategy = strategy;
    }

    public PlacementGroupId Id { get; }
    public IReadOnlyList<ResourceSet> Bundles { get; }
    public PlacementGroupStrategy Strategy { get; }

    private IPlacementGroupGrain Grain => _grains.GetGrain<IPlacementGroupGrain>(Id.Value);

    /// <summary>
    /// Completes when every bundle is reserved (at once, without a call, once this handle has seen that); with a
    /// timeout, throws <see cref="GetTimeoutException"/> if it is still pending then. Throws
    /// <see cref="PlacementGroupRemovedException"/> after <see cref="RemoveAsync"/>.
    /// </summary>
    public async Task ReadyAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_removed) throw new PlacementGroupRemovedException($"Placement group {Id} was removed.");
        if (_ready) return;
        var ready = Grain.WaitReady();
        try
        {
            await (timeout is { } t ? ready.WaitAsync(t, cancellationToken) : ready.WaitAsync(cancellationToken)).ConfigureAwait(false);
            _ready = true;
        }
        catch (TimeoutException)
        {
            var info = await StateAsync().ConfigureAwait(false);
            throw new GetTimeoutException($"Placement group {Id} was not ready within {timeout}: {info.PendingReason ?? "still reserving"}. It stays pending; wait again, or remove it.");
        }
    }

    /// <summary>The group's state, where its bundles are, and why it waits if it does.</summary>
    public async Task<PlacementGroupInfo> StateAsync(CancellationToken cancellationToken = default) =>
        await Grain.GetInfo().WaitAsync(cancellationToken).ConfigureAwait(false)
        ?? throw new PlacementGroupRemovedException($"Placement group {Id} is unknown to the cluster (its state was lost with a node).");

    /// <summary>Returns every bundle's resources; tasks running in the group fail and its actors are killed.</summary>
    public Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _removed = true;
        return Grain.Remove().WaitAsync(cancellationToken);
    }

    /// <summary>Scheduling into bundle <paramref name="index"/> (0-based), for <c>TaskOptions.Scheduling</c> or <c>ActorOptions.Scheduling</c>.</summary>
    public SchedulingStrategy Bundle(int index) =>
        index < 0 || index >= Bundles.Count
            ? throw new ArgumentOutOfRangeException(nameof(index), $"Placement group {Id} has {Bundles.Count} bundles; {index} is not one of them.")
            : SchedulingStrategy.PlacementGroup(Id, index);

    /// <summary>Scheduling into whichever bundle has room.</summary>
    public SchedulingStrategy AnyBundle => SchedulingStrategy.PlacementGroup(Id);

    public override string ToString() => $"PlacementGroup({Id}, {Strategy}, {Bundles.Count} bundles)";
}
