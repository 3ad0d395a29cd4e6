using Grid.Core.Diagnostics;
using System.Collections.Concurrent;
using System.Reflection;
using Grid.Functions;
using Grid.Grains;
using Grid.Wire;
using Orleans.Runtime.Placement;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>An actor as a caller knows it: its id, and a task that completes once it can take calls.</summary>
internal sealed record ActorRef(ActorId Id, string ClassName, Task Ready)
{
    /// <summary>The incarnation (restart count) the caller first addresses; its channel follows later restarts.</summary>
    public int Incarnation { get; init; }
}

internal sealed partial class CoreWorker
{
    /// <summary>
    /// Registers an actor in the GCS (atomically by name) and places it in the background: a node
    /// reserves its resources, then its host grain is activated there and runs the constructor.
    /// </summary>
    /// <param name="ownerActor">The actor whose code creates this one (it dies with it unless detached); null for the job.</param>
    public async Task<ActorRef> CreateActorAsync(JobId job, ConstructorInfo constructor, TaskArgument[] args, ActorOptions options, bool getIfExists,
        ActorId? ownerActor = null)
    {
        options.Validate();
        var ns = options.Namespace ?? JobInfo.DefaultNamespace;
        var descriptor = FunctionCatalog.Describe(constructor);
        var className = constructor.DeclaringType!.AssemblyQualifiedName!;
        var scratch = NestedArgumentScratch();
        var spec = new ActorCreationSpec
        {
            ActorId = ActorId.New(),
            Job = job,
            Constructor = descriptor,
            Args = BuildArgs(descriptor, FunctionCatalog.Resolve(descriptor).ParameterTypes, args, scratch),
            Resources = options.ToResourceSet(),
            Name = options.Name,
            Namespace = ns,
            MaxConcurrency = options.MaxConcurrency ?? 0,
            ConcurrencyGroups = options.ConcurrencyGroups is { Count: > 0 } groups ? new Dictionary<string, int>(groups) : null,
            Owner = OwnerAddress,
            ClassName = className,
            Scheduling = options.Scheduling,
            MaxRestarts = options.MaxRestarts,
        };
        var nested = TakeNested(scratch);
        var gcs = Grains.GetGrain<IGcsGrain>(0);
        var registered = await gcs.RegisterActor(new ActorInfo
        {
            ActorId = spec.ActorId, Name = spec.Name, Namespace = spec.Namespace, ClassName = className,
            Job = job, Resources = spec.Resources, State = ActorState.Pending, Lifetime = options.Lifetime,
            MaxRestarts = options.MaxRestarts, MaxTaskRetries = options.MaxTaskRetries, OwnerActor = ownerActor,
            Spec = options.MaxRestarts == 0 ? null : spec, // a restart builds the actor again from it (without nested payloads)
        }).ConfigureAwait(false);
        if (registered.ActorId != spec.ActorId)
        {
            if (!getIfExists)
                throw new ArgumentException($"An actor named '{options.Name}' already exists in namespace '{ns}'. Use GetActorAsync to reach it, GetOrCreateActorAsync to share it, or pick another name.");
            return new ActorRef(registered.ActorId, registered.ClassName, gcs.WaitActorPlaced(registered.ActorId)) { Incarnation = registered.RestartCount };
        }
        var placed = PlaceActorAsync(spec, nested);
        PinArguments(placed, spec.Args, nested); // refcount: constructor arguments live until the actor is built
        return new ActorRef(spec.ActorId, className, placed);
    }

    /// <summary>
    /// A raylet places the actor by its scheduling strategy and reserves its resources (waiting while
    /// they are busy or no node can hold them); then its host is activated on that node.
    /// </summary>
    private async Task PlaceActorAsync(ActorCreationSpec spec, List<ObjectRef>? nested)
    {
        // Constructor arguments this process owns (large by-value ones it put itself among them) travel resolved, as a
        // task's do, so the node need not ask this process back. A failed one is left as a ref: the host learns its
        // error from the owner and records it as the constructor's failure, as for any failed argument.
        var (args, failure) = await DependencyResolver.ResolveAsync(this, spec.Args, DependencyResolver.Scope.Owned).ConfigureAwait(false);
        spec = spec.With(failure is null && !ReferenceEquals(args, spec.Args) ? args : null,
            nested is not null ? await LendNestedAsync(nested).ConfigureAwait(false) : null);
        var node = await PlaceOnLiveNodeAsync(spec).ConfigureAwait(false);
        await ActivateActorAsync(spec, node).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks a raylet to place the actor. The call races the raylet's node's death (a client's view can be a refresh
    /// old, and a call to a dead silo through a gateway would wait for Orleans' response timeout): a dead raylet's
    /// reservation died with it, so another live node is asked, a bounded number of times.
    /// </summary>
    private async Task<NodeId> PlaceOnLiveNodeAsync(ActorCreationSpec spec)
    {
        List<NodeId>? failed = null;
        for (var attempt = 1; ; attempt++)
        {
            var raylet = Selector.Pick(failed);
            var placing = RayletOf(raylet).PlaceActor(spec, 0);
            try
            {
                while (true)
                {
                    try { return await CallNodeAsync(raylet, placing).ConfigureAwait(false); }
                    // Another node's death: this call may still be answered, and asking again could reserve twice.
                    catch (CallInterruptedException) { }
                }
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e) && attempt < MaxResends)
            {
                (failed ??= []).Add(raylet);
                await RefreshViewAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Builds the next incarnation of a restartable actor (on a node of the cluster, called by the node that decided
    /// the restart): placed and constructed as at creation.
    /// </summary>
    public Task RestartActorAsync(ActorCreationSpec spec) => PlaceActorAsync(spec, null);

    /// <summary>Activates the actor's host on <paramref name="node"/> (which holds its resources) and runs its constructor.</summary>
    private async Task ActivateActorAsync(ActorCreationSpec spec, NodeId node)
    {
        // The placement hint makes Orleans activate the host on the node that holds its resources;
        // the GPU flag lets the GPU placement filter keep it off silos without GPUs.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, SiloAddress.FromParsableString(node.Value));
        var needsGpu = spec.Resources[ResourceSet.Gpu] > 0;
        if (needsGpu) RequestContext.Set(GpuRequestKey, true);
        try
        {
            for (var tries = 1; ; tries++)
            {
                try
                {
                    await Grains.GetGrain<IActorHostGrain>(spec.ActorId.Value).Create(spec).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (tries < 100 && (e is ActorUnavailableException || FailureClassifier.IsNodeFailure(e)))
                {
                    // A restart reached an activation that is going away (the dying incarnation, or one a call made), or
                    // the directory still named the dead node: Orleans places a new activation once that one is gone.
                    // It goes within a few grain turns; the bound only keeps a bug from looping.
                    await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            if (needsGpu) RequestContext.Remove(GpuRequestKey);
        }
    }

    /// <summary>The request-context key the silo's GPU placement filter reads (Grid.Silo's GpuPlacementFilterStrategy.RequestKey).</summary>
    public const string GpuRequestKey = "grid.needs-gpu";

    /// <summary>
    /// An actor known by its id, from a handle another process passed here: ready once the GCS records it placed (at
    /// once for a live one), as for a named actor looked up before it is placed.
    /// </summary>
    public ActorRef ActorRefOf(ActorId id, string className, int incarnation) =>
        new(id, className, Grains.GetGrain<IGcsGrain>(0).WaitActorPlaced(id)) { Incarnation = incarnation };

    public async Task<ActorRef> GetNamedActorAsync(string name, string ns)
    {
        var gcs = Grains.GetGrain<IGcsGrain>(0);
        var info = await gcs.GetNamedActor(ns, name).ConfigureAwait(false);
        if (info is null || info.State == ActorState.Dead)
            throw new ActorNotFoundException($"No live actor named '{name}' in namespace '{ns}'. Create it with ActorOptions.Name, or use GetOrCreateActorAsync.");
        // An actor the GCS knows alive is placed: its calls need not wait for a second round trip to learn it.
        return new ActorRef(info.ActorId, info.ClassName, info.State == ActorState.Alive ? Task.CompletedTask : gcs.WaitActorPlaced(info.ActorId))
        {
            Incarnation = info.RestartCount,
        };
    }

    /// <summary>The actor as the GCS records it now (state, node, restart count, death cause).</summary>
    public async Task<ActorInfo> GetActorInfoAsync(ActorId actor, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                var info = await Grains.GetGrain<IGcsGrain>(0).GetActor(actor).WaitAsync(cancellationToken).ConfigureAwait(false);
                return info ?? throw new ActorNotFoundException($"Actor {actor} is not registered in the cluster's GCS.");
            }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
            {
                // The read went through a gateway node that just died; any live node answers it.
                if (tries == 3) throw new ActorUnavailableException($"Actor {actor}'s record could not be read: the nodes asked died ({e.GetType().Name}); check `grid status` and try again.", e);
            }
        }
    }

    /// <summary>Records a pending actor dead through a node's raylet; false when it was placed meanwhile (or dead already).</summary>
    private Task<bool> KillPendingAsync(ActorId actor)
    {
        var node = Selector.Pick();
        return CallNodeAsync(node, RayletOf(node).KillPendingActor(actor, "killed by its handle before it was placed"));
    }

    /// <summary>
    /// Kills the actor. With <paramref name="noRestart"/> false, a restartable actor with restarts left is rebuilt
    /// instead (this counts as a restart); otherwise it ends, and later calls fail with ActorDiedException.
    /// </summary>
    public async Task KillActorAsync(ActorRef actor, bool noRestart, CancellationToken cancellationToken)
    {
        // Still being placed (waiting for resources, or for a node that can hold it): its placement may never end, so
        // the kill does not wait for it. Recorded dead while pending, it is never built: a placement waiting as
        // infeasible ends, one that reserved resources finds the record dead when its host starts, and calls waiting
        // for it fail with ActorDiedException.
        if (!actor.Ready.IsCompleted && noRestart && await KillPendingAsync(actor.Id).ConfigureAwait(false))
        {
            Actors.Forget(actor.Id);
            return;
        }
        try { await actor.Ready.WaitAsync(cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { CoreLog.KillingActorWhosePlacementFailed(_logger, e, actor.Id); }
        var host = Actors.HostOf(actor.Id);
        if (!noRestart)
        {
            await host.Restart("killed by its handle with noRestart: false").WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await host.Kill("killed by its handle").WaitAsync(cancellationToken).ConfigureAwait(false);
        Actors.Forget(actor.Id);
    }
}
