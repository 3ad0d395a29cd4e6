using Grid.Testing;
using Grid.Tests.Fixtures;
using Grid.Wire;

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

    private readonly GridTestCluster _cluster;

    private RestartCluster(GridTestCluster cluster) => _cluster = cluster;

    public GridTestCluster Cluster => _cluster;
    internal Grid.Silo.Gcs.IGcs Gcs => _cluster.Gcs;
    public GridClient Grid => _cluster.Grid;

    /// <summary>Options of an actor that must live on a secondary silo.</summary>
    public static ActorOptions OnSecondary(ActorOptions options) =>
        options with { Resources = new Dictionary<string, double> { [Slot] = 1 } };

    public static async Task<RestartCluster> StartAsync() =>
        new(await SmallCluster.StartAsync(3, node: static (silo, o) =>
        {
            if (silo != "Primary") o.Resources = new() { [Slot] = 1 };
        }));

    /// <summary>Kills (no shutdown, as a crash would) the silo the actor lives on now, and returns its node.</summary>
    public async Task<NodeId> KillNodeOfAsync<T>(ActorHandle<T> actor) where T : class
    {
        var node = (await actor.GetInfoAsync()).Node ?? throw new InvalidOperationException($"{actor} has no node");
        var silo = Cluster.SiloOf(node);
        Assert.NotEqual("Primary", silo.Name);
        await Cluster.TestCluster.KillSiloAsync(silo);
        return node;
    }

    /// <summary>Waits until the GCS shows the actor alive at restart <paramref name="restarts"/>.</summary>
    public static Task<ActorInfo> AliveAfterAsync<T>(ActorHandle<T> actor, int restarts) where T : class =>
        Eventually.WaitAsync(() => actor.GetInfoAsync(), i => i.State == ActorState.Alive && i.RestartCount == restarts, Patience,
            $"{actor} alive after {restarts} restarts");

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
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
