using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// Three in-process silos sharing an in-memory GCS, started fresh for each test that kills one. The two secondary
/// silos declare one "slot" each and the primary none: an actor that needs a slot lives on a secondary silo, so the
/// silo killed under it is never the primary (which holds the test cluster's membership table), and its restart
/// lands on the other secondary.
/// </summary>
public sealed class RestartCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    public const string Slot = "slot";

    private RestartCluster(InProcessTestCluster cluster, InMemoryGcs gcs, GridClient grid)
    {
        Cluster = cluster;
        Gcs = gcs;
        Grid = grid;
    }

    public InProcessTestCluster Cluster { get; }
    public IGcs Gcs { get; }
    public GridClient Grid { get; }

    /// <summary>Options of an actor that must live on a secondary silo.</summary>
    public static ActorOptions OnSecondary(ActorOptions options) =>
        options with { Resources = new Dictionary<string, double> { [Slot] = 1 } };

    public static async Task<RestartCluster> StartAsync()
    {
        var gcs = new InMemoryGcs();
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.Services.AddSingleton<IGcs>(gcs);
            var secondary = options.SiloName != "Primary";
            silo.UseGrid(o =>
            {
                o.NumCpus = 2;
                if (secondary) o.Resources = new() { [Slot] = 1 };
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var factory = new GridClientFactory(cluster.Client, Options.Create(new GridClientOptions()), Options.Create(new ObjectStoreOptions()));
        var grid = await factory.CreateAsync(null);
        await Eventually.WaitAsync(async () => (await grid.GetNodesAsync()).Length == 3, Patience, "three nodes in the cluster view");
        return new RestartCluster(cluster, gcs, grid);
    }

    /// <summary>Kills (no shutdown, as a crash would) the silo the actor lives on now, and returns its node.</summary>
    public async Task<NodeId> KillNodeOfAsync<T>(ActorHandle<T> actor) where T : class
    {
        var node = (await actor.GetInfoAsync()).Node ?? throw new InvalidOperationException($"{actor} has no node");
        var silo = Cluster.Silos.Cast<InProcessSiloHandle>().Single(s => s.SiloAddress.ToParsableString() == node.Value);
        Assert.NotEqual("Primary", silo.Name);
        await Cluster.KillSiloAsync(silo);
        return node;
    }

    /// <summary>Waits until the GCS shows the actor alive at restart <paramref name="restarts"/>.</summary>
    public static Task<ActorInfo> AliveAfterAsync<T>(ActorHandle<T> actor, int restarts) where T : class =>
        Eventually.WaitAsync(() => actor.GetInfoAsync(), i => i.State == ActorState.Alive && i.RestartCount == restarts, Patience,
            $"{actor} alive after {restarts} restarts");

    public async ValueTask DisposeAsync()
    {
        await Grid.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>An actor whose state is the list of numbers it was given; <see cref="Hold"/> keeps one call running.</summary>
public sealed class Journal
{
    /// <summary>While not completed, <see cref="AppendAsync"/> of <see cref="HeldNumber"/> waits on it (the silos share this process).</summary>
    public static TaskCompletionSource Hold = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public static TaskCompletionSource HeldStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public static volatile int HeldNumber = -1;

    private readonly List<int> _seen = [];

    public async Task<int> AppendAsync(int n)
    {
        if (n == HeldNumber)
        {
            HeldStarted.TrySetResult();
            await Hold.Task;
        }
        _seen.Add(n);
        return _seen.Count;
    }

    public int[] Seen() => [.. _seen];

    public string Node() => GridContext.Current!.NodeId.Value;

    public static void Reset(int heldNumber)
    {
        Hold = new(TaskCreationOptions.RunContinuationsAsynchronously);
        HeldStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        HeldNumber = heldNumber;
    }
}
