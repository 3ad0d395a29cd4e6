using System.Collections.Concurrent;
using Grid.Silo;
using Grid.Testing;
using Grid.Wire;
using Orleans.TestingHost;

namespace Grid.Tests.Fixtures;

/// <summary>What one silo of a heterogeneous test cluster declares.</summary>
public sealed record NodeSpec(string Zone, double Cpus, double Gpus = 0, IReadOnlyDictionary<string, double>? Resources = null)
{
    /// <summary>Sets a node's options to this spec: its resources, and its zone as the label "zone".</summary>
    public void Apply(GridNodeOptions o)
    {
        o.NumCpus = Cpus;
        o.NumGpus = Gpus;
        o.Resources = new(Resources ?? new Dictionary<string, double>());
        o.Labels = new() { ["zone"] = Zone };
    }
}

/// <summary>
/// Silos that declare different resources and labels (<see cref="GridTestCluster"/>, one in-memory GCS): zone "a" has
/// 4 CPUs, zone "b" 4 CPUs and 2 GPUs (so it carries GPU silo metadata), zone "c" 2 CPUs and one "accelerator". Tests
/// find nodes by zone label, and may add and stop silos.
/// </summary>
public sealed class HeterogeneousClusterFixture : IAsyncLifetime
{
    public static readonly NodeSpec[] InitialNodes =
    [
        new("a", 4),
        new("b", 4, Gpus: 2),
        new("c", 2, Resources: new Dictionary<string, double> { ["accelerator"] = 1 }),
    ];

    private readonly ConcurrentDictionary<string, InProcessSiloHandle> _byZone = new();

    public GridTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid => Cluster.Grid;

    public async Task InitializeAsync()
    {
        var builder = new GridTestClusterBuilder();
        foreach (var spec in InitialNodes) builder.AddSilo(spec.Apply);
        Cluster = await builder.StartAsync();
    }

    /// <summary>The node labelled with <paramref name="zone"/>.</summary>
    public async Task<NodeInfo> NodeAsync(string zone) =>
        (await Grid.GetNodesAsync()).Single(n => n.Labels.GetValueOrDefault("zone") == zone);

    /// <summary>Starts another silo declaring <paramref name="spec"/> and waits until the cluster view has it.</summary>
    public async Task<NodeInfo> AddNodeAsync(NodeSpec spec)
    {
        _byZone[spec.Zone] = await Cluster.AddSiloAsync(spec.Apply);
        return await NodeAsync(spec.Zone);
    }

    /// <summary>Stops a silo added by <see cref="AddNodeAsync"/> and waits until the cluster view drops it.</summary>
    public Task StopNodeAsync(string zone) => Cluster.StopSiloAsync(_byZone[zone]);

    /// <summary>Awaits a condition, polling, failing after a generous timeout (never a fixed sleep).</summary>
    public static Task Until(Func<Task<bool>> condition, string what, int seconds = 30) =>
        Eventually.WaitAsync(condition, TimeSpan.FromSeconds(seconds), what);

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
