using System.Collections.Concurrent;
using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.Tests.Fixtures;

/// <summary>What one silo of a heterogeneous test cluster declares.</summary>
public sealed record NodeSpec(string Zone, double Cpus, double Gpus = 0, IReadOnlyDictionary<string, double>? Resources = null);

/// <summary>
/// Silos that declare different resources and labels (Orleans' InProcessTestCluster, one in-memory
/// GCS): zone "a" has 4 CPUs, zone "b" 4 CPUs and 2 GPUs (so it carries GPU silo metadata), zone "c"
/// 2 CPUs and one "accelerator". Tests find nodes by zone label, and may add and stop silos.
/// </summary>
public sealed class HeterogeneousClusterFixture : IAsyncLifetime
{
    public static readonly NodeSpec[] InitialNodes =
    [
        new("a", 4),
        new("b", 4, Gpus: 2),
        new("c", 2, Resources: new Dictionary<string, double> { ["accelerator"] = 1 }),
    ];

    private readonly InMemoryGcs _gcs = new();
    // Silos take the next spec as they are configured; the order does not matter, tests look nodes up by zone.
    private readonly ConcurrentQueue<NodeSpec> _next = new(InitialNodes);
    private readonly ConcurrentDictionary<string, InProcessSiloHandle> _byZone = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public GridClient Grid { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder((short)InitialNodes.Length);
        builder.ConfigureSilo((_, silo) =>
        {
            if (!_next.TryDequeue(out var spec)) throw new InvalidOperationException("A silo started without a NodeSpec; use AddNodeAsync.");
            silo.Services.AddSingleton<IGcs>(_gcs);
            silo.UseGrid(o =>
            {
                o.NumCpus = spec.Cpus;
                o.NumGpus = spec.Gpus;
                o.Resources = new(spec.Resources ?? new Dictionary<string, double>());
                o.Labels = new() { ["zone"] = spec.Zone };
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var factory = new GridClientFactory(Cluster.Client, Options.Create(new GridClientOptions()), Options.Create(new ObjectStoreOptions()));
        Grid = await factory.CreateAsync(null);
        await Until(async () => (await Grid.GetNodesAsync()).Length == InitialNodes.Length, "every node in the cluster view");
    }

    /// <summary>The node labelled with <paramref name="zone"/>.</summary>
    public async Task<NodeInfo> NodeAsync(string zone) =>
        (await Grid.GetNodesAsync()).Single(n => n.Labels.GetValueOrDefault("zone") == zone);

    /// <summary>Starts another silo declaring <paramref name="spec"/> and waits until the cluster view has it.</summary>
    public async Task<NodeInfo> AddNodeAsync(NodeSpec spec)
    {
        _next.Enqueue(spec);
        var handle = await Cluster.StartAdditionalSiloAsync();
        _byZone[spec.Zone] = handle;
        NodeInfo? added = null;
        await Until(async () => (added = (await Grid.GetNodesAsync()).FirstOrDefault(n => n.Labels.GetValueOrDefault("zone") == spec.Zone)) is not null, $"node {spec.Zone} in the cluster view");
        return added!;
    }

    /// <summary>Stops a silo added by <see cref="AddNodeAsync"/> and waits until the cluster view drops it.</summary>
    public async Task StopNodeAsync(string zone)
    {
        await Cluster.StopSiloAsync(_byZone[zone]);
        await Until(async () => (await Grid.GetNodesAsync()).All(n => n.Labels.GetValueOrDefault("zone") != zone), $"node {zone} gone from the cluster view");
    }

    /// <summary>Awaits a condition, polling, failing after a generous timeout (never a fixed sleep).</summary>
    public static Task Until(Func<Task<bool>> condition, string what, int seconds = 30) =>
        Eventually.WaitAsync(condition, TimeSpan.FromSeconds(seconds), what);

    public async Task DisposeAsync()
    {
        await Grid.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
