using System.Linq.Expressions;
using Grid.Core;
using Grid.Grains;
using Grid.Wire;

namespace Grid;

/// <summary>
/// The entry point of Grid (Ray's <c>ray</c> module): remote functions, actors, put/get/wait.
/// One GridClient is one job. Create it with <c>GridClient.StartLocalAsync</c> (embedded silo,
/// from the Grid.Silo package) or <see cref="ConnectAsync(Hosting.GridClientOptions, CancellationToken)"/>; inside tasks
/// and actors use <c>GridContext.Current.Grid</c>.
/// </summary>
public sealed partial class GridClient : IAsyncDisposable
{
    private readonly Func<ValueTask>? _onDispose;
    private int _disposed;

    /// <summary>A client over a process's core worker: made by ConnectAsync, StartLocalAsync and the node (for code running there).</summary>
    internal GridClient(CoreWorker worker, JobId jobId, Func<ValueTask>? onDispose = null)
    {
        Worker = worker;
        JobId = jobId;
        _onDispose = onDispose;
    }

    /// <summary>The process's core worker (owner of this client's objects): runtime, not SDK surface.</summary>
    internal CoreWorker Worker { get; }
    public JobId JobId { get; }

    /// <summary>
    /// The job's namespace (Ray's <c>ray.init(namespace=…)</c>, set by <c>GridClientOptions.Namespace</c>; "default"
    /// otherwise, and in the embedded mode): where this client creates and looks up named actors unless a call names
    /// another. Inside a task or actor it is the namespace of the job the code belongs to.
    /// </summary>
    public string Namespace { get; internal init; } = JobInfo.DefaultNamespace;

    /// <summary>The actor whose code this client serves (on a node): it owns the actors created through it.</summary>
    internal ActorId? OwnerActor { get; init; }


    internal ObjectRef<T> Submit<T>(FunctionDescriptor function, TaskOptions options, TaskArgument[] args) => options.NumReturns == 1
        ? Worker.SubmitTask<T>(JobId, function, options, args)
        : throw new InvalidOperationException($"{function.DisplayName} is declared with TaskOptions.NumReturns = {options.NumReturns}, which gives one ref per element: call RemoteMany instead of Remote.");

    /// <summary>
    /// Submits a call whose value is split into <paramref name="numReturns"/> objects (RemoteSplit, RemoteMany) and
    /// returns a ref to each, made by <paramref name="refs"/> from the task's id.
    /// </summary>
    internal TRefs SubmitReturns<TRefs>(FunctionDescriptor function, TaskOptions options, int numReturns, TaskArgument[] args, Func<CoreWorker, ObjectId, TRefs> refs)
    {
        if (options.NumReturns != 1 && options.NumReturns != numReturns)
            throw new ArgumentException($"{function.DisplayName} returns a tuple of {numReturns} elements, but TaskOptions.NumReturns is {options.NumReturns}: leave it at 1 (RemoteSplit counts the elements) or set it to {numReturns}.", nameof(options));
        return refs(Worker, Worker.SubmitTask(JobId, function, options, args, numReturns));
    }

    /// <summary>Stores a value in the cluster and returns its ref (Ray's <c>ray.put</c>).</summary>
    public Task<ObjectRef<T>> PutAsync<T>(T value, CancellationToken cancellationToken = default) => Worker.PutAsync(value, cancellationToken);

    /// <summary>Gets a value, waiting at most <paramref name="timeout"/>; a remote failure is rethrown here.</summary>
    public Task<T> GetAsync<T>(ObjectRef<T> reference, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Worker.GetAsync<T>(ObjectWaiter.CheckRef(reference ?? throw new ArgumentNullException(nameof(reference)), 0), timeout, cancellationToken);

    /// <summary>
    /// Gets many values, in the order of <paramref name="references"/> (duplicates allowed). Throws as
    /// soon as any of them failed, without waiting for the rest.
    /// </summary>
    public Task<T[]> GetAsync<T>(IEnumerable<ObjectRef<T>> references, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ObjectGetter.GetAllAsync(Worker, [.. references ?? throw new ArgumentNullException(nameof(references))], timeout, cancellationToken);

    /// <summary>
    /// Waits until <paramref name="numReturns"/> of the refs are ready or the timeout passes (Ray's
    /// <c>ray.wait</c>). Both lists keep the order of <paramref name="references"/>; when more than
    /// <paramref name="numReturns"/> are ready, the first ones in that order are returned. Duplicate refs are refused.
    /// </summary>
    public Task<WaitResult<T>> WaitAsync<T>(IReadOnlyList<ObjectRef<T>> references, int numReturns = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ObjectWaiter.WaitAsync(Worker, references ?? throw new ArgumentNullException(nameof(references)), numReturns, timeout, cancellationToken);

    // Cluster operations below take a CancellationToken that stops the caller's wait (and, before the request is
    // sent, the request): an actor or group whose creation was already sent may still come to exist, as in Ray, where
    // creation cannot be cancelled either. Kill it, or look it up by name, to be sure.

    /// <summary>
    /// Creates an actor from a constructor call, e.g. <c>() => new Counter(0)</c>. A named one takes its name in
    /// <see cref="ActorOptions.Namespace"/>, or this client's <see cref="Namespace"/>; the name must be free there. The
    /// actor is owned by this job, or, when created by an actor's code, by that actor: unless
    /// <see cref="ActorOptions.Lifetime"/> is <see cref="ActorLifetime.Detached"/>, it dies with its owner.
    /// </summary>
    public async Task<ActorHandle<T>> CreateActorAsync<T>(Expression<Func<T>> constructor, ActorOptions? options = null, CancellationToken cancellationToken = default) where T : class
    {
        var (ctor, args) = CallExpressions.ParseConstructor(constructor);
        cancellationToken.ThrowIfCancellationRequested();
        return new ActorHandle<T>(this, await Worker.CreateActorAsync(JobId, ctor, args, InNamespace(options ?? ActorOptions.Default), getIfExists: false, OwnerActor)
            .WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Returns the actor named <paramref name="name"/> in <see cref="ActorOptions.Namespace"/> (or this client's
    /// <see cref="Namespace"/>), creating it if no live one exists there; racing callers get the same actor.
    /// </summary>
    public async Task<ActorHandle<T>> GetOrCreateActorAsync<T>(string name, Expression<Func<T>> constructor, ActorOptions? options = null, CancellationToken cancellationToken = default) where T : class
    {
        var (ctor, args) = CallExpressions.ParseConstructor(constructor);
        var named = InNamespace((options ?? ActorOptions.Default) with { Name = name });
        cancellationToken.ThrowIfCancellationRequested();
        return new ActorHandle<T>(this, await Worker.CreateActorAsync(JobId, ctor, args, named, getIfExists: true, OwnerActor).WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Finds a live named actor, created by any client of the cluster, in namespace <paramref name="ns"/> (null: this
    /// client's <see cref="Namespace"/>). Throws <see cref="ActorNotFoundException"/> when none lives under that name.
    /// </summary>
    public async Task<ActorHandle<T>> GetActorAsync<T>(string name, string? ns = null, CancellationToken cancellationToken = default) where T : class =>
        new(this, await Worker.GetNamedActorAsync(name, ns ?? Namespace).WaitAsync(cancellationToken).ConfigureAwait(false));

    private ActorOptions InNamespace(ActorOptions options) => options.Namespace is null ? options with { Namespace = Namespace } : options;

    /// <summary>Ends <paramref name="actor"/> for good (as <see cref="ActorHandle{T}.KillAsync"/> with <c>noRestart: true</c>).</summary>
    public Task KillActorAsync<T>(ActorHandle<T> actor, CancellationToken cancellationToken = default) where T : class => actor.KillAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Cancels the task or actor call that makes <paramref name="reference"/> (Ray's <c>ray.cancel</c>). A task still
    /// waiting (for arguments, resources, or on its way) is dropped and its ref fails with
    /// <see cref="TaskCancelledException"/> at once; a running task sees its token fire (a CancellationToken parameter,
    /// <see cref="GridContext.CancellationToken"/>) and its ref fails with TaskCancelledException when it stops — at once
    /// with <paramref name="force"/>, which gives up on it (a thread cannot be killed: it runs on, holding its CPU,
    /// until it returns, and its result is discarded). With <paramref name="recursive"/> the tasks it submitted are
    /// cancelled too. Work that depends on a cancelled ref fails with the same error. Cancelling a finished task does
    /// nothing. An actor call can be cancelled while it waits, and while it runs if its method takes a CancellationToken;
    /// <paramref name="force"/> is refused for actor calls, as in Ray. Only the process that submitted the work can
    /// cancel it. Completes once the cancel is delivered, not when the work stops.
    /// </summary>
    public Task CancelAsync(ObjectRef reference, bool force = false, bool recursive = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Worker.CancelAsync(reference.Id, force, recursive, cancellationToken);
    }

    /// <summary>The nodes of the cluster with their declared and free resources.</summary>
    public Task<NodeInfo[]> GetNodesAsync(CancellationToken cancellationToken = default) =>
        Worker.Grains.GetGrain<IGcsGrain>(0).GetNodes().WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_onDispose is not null) await _onDispose().ConfigureAwait(false);
    }
}

public sealed partial class GridClient
{
    /// <summary>Connects to a Grid cluster through its gateways; the returned client is one job.</summary>
    public static Task<GridClient> ConnectAsync(Hosting.GridClientOptions options, CancellationToken cancellationToken = default) =>
        Hosting.GridClientConnector.ConnectAsync(options, cancellationToken);

    /// <summary>
    /// Connects to the cluster whose head is at <paramref name="address"/>: "host:port" as <c>grid start --head</c>
    /// prints it, or "auto" for the cluster started on this machine; null falls back to <c>GRID_ADDRESS</c>
    /// (and <c>GRID_PASSWORD</c>), then "auto". A wrong or missing password throws <see cref="GridAuthenticationException"/>.
    /// </summary>
    public static Task<GridClient> ConnectAsync(string? address, string? password = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(new Hosting.GridClientOptions { Address = address ?? "", Password = password }, cancellationToken);

    /// <summary>Connects to the cluster named by <c>GRID_ADDRESS</c> and <c>GRID_PASSWORD</c>, else the one started on this machine.</summary>
    public static Task<GridClient> ConnectAsync(CancellationToken cancellationToken = default) => ConnectAsync(null, null, cancellationToken);
}
