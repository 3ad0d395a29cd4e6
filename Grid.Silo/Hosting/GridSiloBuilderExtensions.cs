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
        services.AddOptions<GridNodeOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<GridNodeOptions>, GridNodeOptionsValidator>());
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton<IGcs, InMemoryGcs>();
        services.AddGridObjectStore(store);
        services.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
        services.AddSingleton<NodeRuntime>();
        services.AddSingleton<Diagnostics.NodeEndpoints>();
        services.AddSingleton(sp => new State.TaskRecords(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<GridNodeOptions>>().Value.TaskRecordCapacity));
        services.AddSingleton<State.NodeSampler>();
        services.AddSingleton<Diagnostics.GridMetrics>();
        services.AddSingleton<Raylet.NodeScheduler>();
        services.AddSingleton<Tasks.TaskExecutor>();
        services.AddSingleton<Tasks.TaskCancellations>();
        services.AddSingleton<Execution.TaskRetryEvents>();
        services.AddSingleton<Raylet.LocalTaskManager>();
        services.AddSingleton<Raylet.PlacementLoop>();
        services.AddSingleton<Raylet.ActorPlacer>();
        services.AddSingleton<Actors.LocalActors>();
        services.AddSingleton<Actors.ActorRecords>();
        services.AddSingleton<Actors.OwnedActors>();
        services.AddSingleton<Actors.ActorRestarter>();
        services.AddSingleton<BundleReservations>();
        services.AddSingleton<ClusterView>();
        services.AddSingleton<Jobs.JobCodeRegistry>();
        services.AddSingleton<Jobs.JobEnds>();
        silo.UseGridScheduling();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, GridNodeLifecycle>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Objects.ObjectDirectoryPublisher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Objects.BorrowerWatch>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Jobs.JobWatch>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PlacementGroupWatch>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Actors.ActorRestarter>());
        return silo;
    }
}

/// <summary>Starts the node's cluster view and attaches its worker to its raylet and actors once the silo is active, and records the node's death when it stops.</summary>
internal sealed class GridNodeLifecycle(ClusterView view, IGcs gcs, NodeRuntime node, LocalTaskManager tasks, Actors.LocalActors actors, Diagnostics.GridMetrics metrics) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GridNodeLifecycle), ServiceLifecycleStage.Active, _ =>
        {
            // Work this node's own worker submits (tasks that submit tasks, the embedded client) skips the raylet grain.
            node.Worker.AttachLocalRaylet(tasks);
            GC.KeepAlive(metrics); // created with the node, so that its instruments are there before its first task
            node.Worker.AttachLocalActors(actors);
            WorkerThreads.NodeStarted(node.Options.NumCpus + node.Options.NumGpus);
            return view.StartAsync();
        }, async _ =>
        {
            view.Dispose();
            WorkerThreads.NodeStopped(node.Options.NumCpus + node.Options.NumGpus);
            await gcs.MarkNodeDeadAsync(node.NodeId);
        });
}
