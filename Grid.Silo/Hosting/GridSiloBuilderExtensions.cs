using Grid.Grains;
using Grid.ObjectStore;
using Grid.Silo.Gcs;
using Grid.Silo.Placement;
using Grid.Silo.Raylet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Grid.Silo;

public static class GridSiloBuilderExtensions
{
    /// <summary>
    /// Makes this Orleans silo a Grid node: raylet, task executors, actor hosts, object store, owner
    /// endpoint and cluster view. Without an <see cref="IGcs"/> registered beforehand, the node uses
    /// an in-memory GCS of its own (the embedded mode).
    /// </summary>
    public static ISiloBuilder UseGrid(this ISiloBuilder silo, Action<GridNodeOptions>? configure = null, Action<ObjectStoreOptions>? store = null)
    {
        var services = silo.Services;
        services.AddOptions<GridNodeOptions>();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton<IGcs, InMemoryGcs>();
        services.AddGridObjectStore(store);
        services.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
        services.AddSingleton<NodeRuntime>();
        services.AddSingleton<Raylet.Raylet>();
        services.AddSingleton<Tasks.TaskExecutor>();
        services.AddSingleton<Raylet.TaskPlacement>();
        services.AddSingleton<BundleReservations>();
        services.AddSingleton<ClusterView>();
        services.AddSingleton<Jobs.JobCodeRegistry>();
        silo.UseGridScheduling();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, GridNodeLifecycle>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Objects.ObjectDirectoryPublisher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Objects.BorrowerWatch>();
        return silo;
    }
}

/// <summary>
/// Tasks are user code and may block a thread (Thread.Sleep, synchronous I/O). The thread pool only
/// adds threads slowly past its minimum, which would leave declared CPUs idle behind blocked tasks,
/// so the minimum covers every task the node can run at once plus the machine's cores for the
/// runtime itself. No more than that: up to its minimum the pool wakes a new thread for every queued
/// item, and hundreds of threads contending for two cores cost tiny tasks and grain calls alike
/// (a minimum of 256 halved raw Orleans' own call rate in the benchmark).
/// </summary>
internal static class ThreadPoolSizing
{
    public static void Ensure(double declaredProcessors)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Math.Max(workers, (int)Math.Ceiling(declaredProcessors) + Environment.ProcessorCount);
        if (wanted > workers) ThreadPool.SetMinThreads(wanted, io);
    }
}

/// <summary>Starts the node's cluster view and attaches its worker to its raylet once the silo is active, and records the node's death when it stops.</summary>
internal sealed class GridNodeLifecycle(ClusterView view, IGcs gcs, NodeRuntime node, TaskPlacement tasks) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GridNodeLifecycle), ServiceLifecycleStage.Active, _ =>
        {
            // Work this node's own worker submits (tasks that submit tasks, the embedded client) skips the raylet grain.
            node.Worker.AttachLocalRaylet(tasks);
            ThreadPoolSizing.Ensure(node.Options.NumCpus + node.Options.NumGpus);
            return view.StartAsync();
        }, async _ =>
        {
            view.Dispose();
            await gcs.MarkNodeDeadAsync(node.NodeId);
        });
}
