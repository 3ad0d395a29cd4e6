using System.Diagnostics.Metrics;
using Grid.Core.References;
using Grid.Grains;
using Grid.ObjectStore;
using Grid.Serialization;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>
/// The Grid runtime of one process (Ray's core worker): it owns the objects this process created,
/// submits tasks and actor calls, resolves refs to values and answers other processes about the
/// objects it owns. Every client has one, and so does every silo (for tasks that submit tasks).
/// </summary>
internal sealed partial class CoreWorker : IObjectResolver, IReferenceTracker
{
    internal static readonly Meter Meter = new("Grid.CoreWorker");

    private readonly ReferenceCounter _references;
    /// <summary>The owner's table of the objects this process created (see <see cref="ReferenceCounter"/>).</summary>
    internal OwnedObjects Owned => _references.Owned;
    // Payloads of other processes' objects that arrived with tasks (see TaskSpec.Borrowed).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ObjectId, ObjectPayload> _borrowed = new();
    private readonly ILogger _logger;

    public CoreWorker(IGrainFactory grains, GrainId ownerAddress, INodeSelector selector, ObjectManager objects,
        LocalObjectStore? localStore, NodeId? localNode, ILogger logger, int inlineThreshold = DefaultInlineThreshold)
    {
        Grains = grains;
        OwnerAddress = ownerAddress;
        Selector = selector;
        Objects = objects;
        LocalStore = localStore;
        LocalNode = localNode;
        InlineThreshold = inlineThreshold;
        _logger = logger;
        WorkerId = $"{ownerAddress}";
        _references = new ReferenceCounter(grains, ownerAddress, new ObjectFreer(grains, logger), logger);
        _references.BorrowReleased += id => _borrowed.TryRemove(id, out _);
        Tasks = new NormalTaskSubmitter(this, logger);
        Actors = new ActorTaskSubmitter(this, logger);
    }

    /// <summary>Values up to this size travel inside messages; larger ones go to an object store.</summary>
    public const int DefaultInlineThreshold = 100 * 1024;

    public IGrainFactory Grains { get; }
    /// <summary>This process's owner endpoint; refs it creates name it as their owner.</summary>
    public GrainId OwnerAddress { get; }
    public INodeSelector Selector { get; }
    public ObjectManager Objects { get; }
    public LocalObjectStore? LocalStore { get; }
    public NodeId? LocalNode { get; }
    public int InlineThreshold { get; }
    /// <summary>Identifies this process as an actor caller: its calls to an actor run in the order it made them.</summary>
    public string WorkerId { get; }
    public GridSerializer Serializer { get; } = GridSerializer.Instance;
    public int OwnedObjectCount => Owned.Count;

    /// <summary>Answers an owner request from another process: the payload once it is ready.</summary>
    public Task<ObjectPayload> GetOwnedPayload(ObjectId id) =>
        Owned.TryGet(id, out var payload)
            ? payload
            : Task.FromResult(ObjectPayload.Failed(_references.IsShutDown
                ? OwnerErrors.Died(id, OwnerAddress, "its job ended")
                : Serializer.ToRemoteError(new ObjectLostException(
                    $"Object {id} is not known to its owner {OwnerAddress}: it was freed (no reference to it remained), or its owner restarted."), null)));

    /// <summary>The payload of any ref: from this process's table, or by asking its owner.</summary>
    public Task<ObjectPayload> GetPayloadAsync(ObjectId id, GrainId owner)
    {
        if (owner == OwnerAddress) return GetOwnedPayload(id);
        if (_references.GoneReason(owner) is { } why) return Task.FromResult(ObjectPayload.Failed(OwnerErrors.Died(id, owner, why)));
        if (_borrowed.TryGetValue(id, out var known)) return Task.FromResult(known);
        return AskOwnerAsync(id, owner);
    }

    /// <summary>Remembers payloads that a task's submitter shipped with it.</summary>
    public void AddBorrowed(BorrowedObject[]? borrowed)
    {
        if (borrowed is null) return;
        foreach (var b in borrowed) _borrowed.TryAdd(b.Id, b.Payload);
    }

    private async Task<ObjectPayload> AskOwnerAsync(ObjectId id, GrainId owner)
    {
        try
        {
            var asked = Grains.GetGrain<IObjectOwner>(owner).GetObject(id);
            if (_references.IsNodeOwner(owner)) return await asked.ConfigureAwait(false);
            // A client owner that dies answers nothing: its declared death ends the wait (see OwnerGone).
            var gone = _references.WhenGone(owner);
            if (await Task.WhenAny(asked, gone).ConfigureAwait(false) == gone) return ObjectPayload.Failed(OwnerErrors.Died(id, owner, gone.Result));
            return await asked.ConfigureAwait(false);
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
        {
            return ObjectPayload.Failed(OwnerErrors.Died(id, owner, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    public async Task<T> GetAsync<T>(ObjectRef reference, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var payloadTask = GetPayloadAsync(reference.Id, reference.Owner);
        if (!payloadTask.IsCompleted)
        {
            // A task blocked in a get gives its CPU back so the tasks it waits for can run on this node.
            using var blocked = ExecutionScope.EnterBlocked();
            try
            {
                await ResultDelivery.ForUser(timeout is { } t ? payloadTask.WaitAsync(t, cancellationToken) : payloadTask.WaitAsync(cancellationToken));
            }
            catch (TimeoutException)
            {
                throw new GetTimeoutException($"Object {reference.Id} was not ready within {timeout}. It is still being computed: get it again, or wait longer.");
            }
        }
        return (T)(await MaterializeAsync(payloadTask.Result, typeof(T), reference.Id, reference.Owner, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Turns a payload into a value of <paramref name="type"/>, fetching stored objects as needed. A stored value whose
    /// every copy is gone is rebuilt by its <paramref name="owner"/> from lineage, and read then (see <c>CoreWorker.Lineage</c>).
    /// </summary>
    public ValueTask<object?> MaterializeAsync(ObjectPayload payload, Type type, ObjectId id, GrainId owner, CancellationToken cancellationToken) =>
        // The common case, a value inline, without an async state machine.
        payload.Kind == PayloadKind.Inline
            ? new ValueTask<object?>(Serializer.Deserialize(payload.Data, type, this))
            : MaterializeWithRecoveryAsync(payload, type, id, owner, cancellationToken);

    private async ValueTask<object?> MaterializeWithRecoveryAsync(ObjectPayload payload, Type type, ObjectId id, GrainId owner, CancellationToken cancellationToken)
    {
        for (var recoveries = 0; ; recoveries++)
        {
            switch (payload.Kind)
            {
                case PayloadKind.Inline:
                    return Serializer.Deserialize(payload.Data, type, this);
                case PayloadKind.Error:
                    throw Serializer.ToException(payload.Error!);
            }
            try
            {
                return await MaterializeStoredAsync(payload, type, id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsCopyLost(e) && recoveries < MaxRecoveriesPerRead && !cancellationToken.IsCancellationRequested)
            {
                payload = await RecoverLostAsync(id, owner, payload, e).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Turns a value into a payload: inline when small, else into an object store. Refs inside the value are then
    /// held by <paramref name="owner"/> (the object's owner; this process when null) until it frees the object.
    /// </summary>
    public async ValueTask<ObjectPayload> StoreValueAsync(ObjectId id, object? value, Type type, CancellationToken cancellationToken = default, GrainId? owner = null)
    {
        // Arrays of primitives hold no refs: they stream straight into the local store.
        if (TryStoreLargeArray(id, value, type, out var large))
        {
            LocalStore!.SetOwner(id, (owner ?? OwnerAddress).ToString());
            return large;
        }
        if (LocalStore is null)
            return await TryPushLargeArrayAsync(id, value, type, owner ?? OwnerAddress, cancellationToken).ConfigureAwait(false)
                ?? await StoreRemotelyAsync(id, value, type, owner ?? OwnerAddress, cancellationToken).ConfigureAwait(false);
        var (bytes, contained) = SerializeCollectingRefs(value, type);
        if (contained is not null) await _references.HoldContainedAsync(contained, owner ?? OwnerAddress).ConfigureAwait(false);
        if (bytes.Length <= InlineThreshold) return ObjectPayload.InlineBytes(bytes).WithContained(contained);
        return (await StoreSerializedAsync(id, bytes, owner ?? OwnerAddress, cancellationToken).ConfigureAwait(false)).WithContained(contained);
    }

    public async Task<ObjectRef<T>> PutAsync<T>(T value, CancellationToken cancellationToken = default)
    {
        var id = ObjectId.New();
        var payload = await StoreValueAsync(id, value, typeof(T), cancellationToken).ConfigureAwait(false);
        Owned.AddReady(id, payload);
        return new ObjectRef<T>(id, OwnerAddress, this);
    }

    /// <summary>Waits for every ref's payload (not its value), failing as soon as one failed.</summary>
    public Task<ObjectPayload>[] PayloadsOf(IReadOnlyList<ObjectRef> refs)
    {
        var tasks = new Task<ObjectPayload>[refs.Count];
        for (var i = 0; i < tasks.Length; i++) tasks[i] = GetPayloadAsync(refs[i].Id, refs[i].Owner);
        return tasks;
    }
}
