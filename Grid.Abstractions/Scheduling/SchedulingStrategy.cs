namespace Grid;

/// <summary>
/// Where a task or actor may run (Ray's <c>scheduling_strategy</c>). Leave
/// <see cref="TaskOptions.Scheduling"/> null for the default hybrid policy: run on the submitting
/// node while it has room, otherwise spill to a node that has room, preferring the node that holds
/// the largest arguments.
/// </summary>
[GenerateSerializer, Immutable]
public abstract record SchedulingStrategy
{
    /// <summary>The hybrid policy (the same as leaving the option null).</summary>
    public static SchedulingStrategy Default { get; } = new DefaultScheduling();

    /// <summary>Spreads tasks or actors over the nodes that can run them, round robin.</summary>
    public static SchedulingStrategy Spread { get; } = new SpreadScheduling();

    /// <summary>
    /// Runs on <paramref name="node"/> only (hard); a dead or unknown node fails the task with
    /// <see cref="UnschedulableException"/> at once. With <paramref name="soft"/> it falls back to
    /// the default policy when the node is gone or cannot fit the request.
    /// </summary>
    public static SchedulingStrategy NodeAffinity(NodeId node, bool soft = false) => new NodeAffinityScheduling(node, soft);

    /// <summary>
    /// Runs on a node whose labels include every pair of <paramref name="hard"/> (work waits, as
    /// infeasible, until such a node exists); among those, nodes matching <paramref name="soft"/> are preferred.
    /// </summary>
    public static SchedulingStrategy NodeLabels(IReadOnlyDictionary<string, string> hard, IReadOnlyDictionary<string, string>? soft = null) =>
        new NodeLabelScheduling(new Dictionary<string, string>(hard), soft is null ? null : new Dictionary<string, string>(soft));

    /// <summary>
    /// Runs inside a placement group's reservation: bundle <paramref name="bundleIndex"/>, or any
    /// bundle with room when it is -1. The work waits until the group is ready.
    /// </summary>
    public static SchedulingStrategy PlacementGroup(PlacementGroupId group, int bundleIndex = -1) =>
        bundleIndex < -1
            ? throw new ArgumentOutOfRangeException(nameof(bundleIndex), $"Bundle index {bundleIndex} is invalid; use a bundle's index (0-based) or -1 for any bundle.")
            : new PlacementGroupScheduling(group, bundleIndex);
}

/// <summary>The hybrid policy: local while there is room, else spill.</summary>
[GenerateSerializer, Immutable]
public sealed record DefaultScheduling : SchedulingStrategy;

/// <summary>Round robin over the nodes that can run the work.</summary>
[GenerateSerializer, Immutable]
public sealed record SpreadScheduling : SchedulingStrategy;

/// <summary>Pins work to one node; see <see cref="SchedulingStrategy.NodeAffinity"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeAffinityScheduling([property: Id(0)] NodeId Node, [property: Id(1)] bool Soft) : SchedulingStrategy;

/// <summary>Selects nodes by label; see <see cref="SchedulingStrategy.NodeLabels"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeLabelScheduling(
    [property: Id(0)] Dictionary<string, string> Hard,
    [property: Id(1)] Dictionary<string, string>? Soft) : SchedulingStrategy
{
    public override string ToString() =>
        $"labels {string.Join(", ", Hard.Select(kv => $"{kv.Key}={kv.Value}"))}" +
        (Soft is { Count: > 0 } ? $" (preferring {string.Join(", ", Soft.Select(kv => $"{kv.Key}={kv.Value}"))})" : "");
}

/// <summary>Runs inside a placement group's bundle; see <see cref="SchedulingStrategy.PlacementGroup"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record PlacementGroupScheduling([property: Id(0)] PlacementGroupId Group, [property: Id(1)] int BundleIndex) : SchedulingStrategy;
