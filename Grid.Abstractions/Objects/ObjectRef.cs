using System.ComponentModel;
using System.Runtime.CompilerServices;
using Grid.Wire;

namespace Grid;

/// <summary>
/// Resolves object references to values: the core worker of the process that holds the ref.
/// </summary>
internal interface IObjectResolver
{
    Task<T> GetAsync<T>(ObjectRef reference, TimeSpan? timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Counts the <see cref="ObjectRef"/> instances alive in a process (the core worker's reference counter): each
/// instance adds one reference when created and removes it when disposed or collected.
/// </summary>
internal interface IReferenceTracker
{
    /// <summary>Counts a new instance; false when the object is not tracked (then nothing is removed later).</summary>
    bool AddLocalReference(ObjectId id, GrainId owner);

    /// <summary>Removes one instance's reference. Called from finalizers too: must not block.</summary>
    void RemoveLocalReference(ObjectId id, GrainId owner);
}

/// <summary>
/// A future: the id of an object that a task returns or a put stored, plus its owner. Passing a ref
/// to a task makes it a dependency that is resolved where the task runs; a ref nested inside a
/// collection stays a ref.
/// </summary>
/// <remarks>
/// Every instance is a reference that keeps the object alive (Ray's reference counting): the object is freed on
/// every node once no instance remains in any process, no pending task has it as an argument and no stored object
/// contains it. Dispose a ref to release it now; an undisposed ref is released when the garbage collector finalizes it.
/// The refs deserialized from one value (a gotten list of refs, a task's argument) are released together, once none
/// of them is reachable any more, unless disposed one by one.
/// </remarks>
public abstract class ObjectRef : IEquatable<ObjectRef>, IDisposable
{
    private const int Counted = 0, Disposed = 1, Uncounted = 2;
    // Counted until disposed; Uncounted when no tracker counted it.
    private int _released;
    // What releases a counted instance's reference when it is collected: a finalizable RefFinalizer of its own, or
    // the RefBatch of the value it was deserialized from (shared by that value's refs, slot = its entry there). The
    // ref itself has no finalizer: a value holding 10,000 refs costs one finalizable object, not 10,000.
    private readonly object? _lifetime;
    private readonly int _slot;

    private protected ObjectRef(ObjectId id, GrainId owner, IObjectResolver? resolver)
    {
        Id = id;
        Owner = owner;
        Resolver = resolver;
        if (resolver is IReferenceTracker tracker && tracker.AddLocalReference(id, owner)) _lifetime = new RefFinalizer(this);
        else _released = Uncounted;
    }

    private protected ObjectRef(ObjectId id, GrainId owner, IObjectResolver resolver, RefBatch batch)
    {
        Id = id;
        Owner = owner;
        Resolver = resolver;
        _slot = batch.Add(id, owner);
        if (_slot >= 0) _lifetime = batch;
        else _released = Uncounted;
    }

    /// <summary>Releases this instance's reference; the object is freed when it was the last. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _released, Disposed, Counted) != Counted) return;
        if (_lifetime is RefBatch batch) batch.Release(_slot);
        else
        {
            GC.SuppressFinalize(_lifetime!);
            ((IReferenceTracker)Resolver!).RemoveLocalReference(Id, Owner);
        }
    }

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsDisposed => Volatile.Read(ref _released) == Disposed;

    /// <summary>The garbage collector found this ref (and its <see cref="RefFinalizer"/>) unreachable.</summary>
    internal void ReleaseCollected()
    {
        if (Volatile.Read(ref _released) == Counted) (Resolver as IReferenceTracker)?.RemoveLocalReference(Id, Owner);
    }

    public ObjectId Id { get; }
    /// <summary>The owner endpoint: the process that knows where the value is.</summary>
    public GrainId Owner { get; }
    /// <summary>The core worker of this process; null for a ref deserialized outside any Grid runtime.</summary>
    internal IObjectResolver? Resolver { get; }

    public abstract Type ValueType { get; }

    internal ObjectRefData ToData() => new(Id, Owner);

    private protected IObjectResolver BoundResolver => Resolver ?? throw new InvalidOperationException(
        $"ObjectRef {Id} is not bound to a Grid runtime; get it through a GridClient or inside a task.");

    public bool Equals(ObjectRef? other) => other is not null && other.Id == Id;
    public override bool Equals(object? obj) => Equals(obj as ObjectRef);
    public override int GetHashCode() => Id.GetHashCode();
    public override string ToString() => $"ObjectRef({Id})";
}

/// <summary>A typed future of a <typeparamref name="T"/>. Await it, or pass it to tasks and actor calls.</summary>
public sealed class ObjectRef<T> : ObjectRef
{
    internal ObjectRef(ObjectId id, GrainId owner, IObjectResolver? resolver) : base(id, owner, resolver) { }

    /// <summary>One of the refs deserialized from a value, counted in that value's <paramref name="batch"/>.</summary>
    internal ObjectRef(ObjectId id, GrainId owner, IObjectResolver resolver, RefBatch batch) : base(id, owner, resolver, batch) { }

    public override Type ValueType => typeof(T);

    /// <summary>Gets the value, waiting at most <paramref name="timeout"/> (forever when null).</summary>
    public Task<T> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return BoundResolver.GetAsync<T>(this, timeout, cancellationToken);
    }

    public TaskAwaiter<T> GetAwaiter() => GetAsync().GetAwaiter();

    /// <summary>
    /// Marks this ref as an argument inside an actor-call or task expression, e.g.
    /// <c>counter.Call(c => c.Add(x.AsArg()))</c>: the actor receives the value. Never call it directly.
    /// </summary>
    public T AsArg() => throw new InvalidOperationException(
        "ObjectRef.AsArg() only marks a dependency inside a Grid call expression; to read the value, await the ref or call GetAsync.");
}
