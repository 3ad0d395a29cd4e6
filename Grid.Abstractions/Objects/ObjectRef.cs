using System.ComponentModel;
using System.Runtime.CompilerServices;
using Grid.Wire;

namespace Grid;

/// <summary>
/// Resolves object references to values: the core worker of the process that holds the ref.
/// </summary>
public interface IObjectResolver
{
    Task<T> GetAsync<T>(ObjectRef reference, TimeSpan? timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Counts the <see cref="ObjectRef"/> instances alive in a process (the core worker's reference counter): each
/// instance adds one reference when created and removes it when disposed or collected.
/// </summary>
public interface IReferenceTracker
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
/// </remarks>
public abstract class ObjectRef : IEquatable<ObjectRef>, IDisposable
{
    private const int Counted = 0, Disposed = 1, Uncounted = 2;
    // Counted until disposed; Uncounted when no tracker counted it. The finalizer acts only on Counted.
    private int _released;

    private protected ObjectRef(ObjectId id, GrainId owner, IObjectResolver? resolver)
    {
        Id = id;
        Owner = owner;
        Resolver = resolver;
        if (resolver is not IReferenceTracker tracker || !tracker.AddLocalReference(id, owner))
        {
            _released = Uncounted;
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Releases this instance's reference; the object is freed when it was the last. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _released, Disposed, Counted) != Counted) return;
        GC.SuppressFinalize(this);
        ((IReferenceTracker)Resolver!).RemoveLocalReference(Id, Owner);
    }

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsDisposed => Volatile.Read(ref _released) == Disposed;

    ~ObjectRef()
    {
        if (Volatile.Read(ref _released) == Counted) (Resolver as IReferenceTracker)?.RemoveLocalReference(Id, Owner);
    }

    public ObjectId Id { get; }
    /// <summary>The owner endpoint: the process that knows where the value is.</summary>
    public GrainId Owner { get; }
    /// <summary>The core worker of this process; null for a ref deserialized outside any Grid runtime.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IObjectResolver? Resolver { get; }

    public abstract Type ValueType { get; }

    public ObjectRefData ToData() => new(Id, Owner);

    protected IObjectResolver BoundResolver => Resolver ?? throw new InvalidOperationException(
        $"ObjectRef {Id} is not bound to a Grid runtime; get it through a GridClient or inside a task.");

    public bool Equals(ObjectRef? other) => other is not null && other.Id == Id;
    public override bool Equals(object? obj) => Equals(obj as ObjectRef);
    public override int GetHashCode() => Id.GetHashCode();
    public override string ToString() => $"ObjectRef({Id})";
}

/// <summary>A typed future of a <typeparamref name="T"/>. Await it, or pass it to tasks and actor calls.</summary>
public sealed class ObjectRef<T> : ObjectRef
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ObjectRef(ObjectId id, GrainId owner, IObjectResolver? resolver) : base(id, owner, resolver) { }

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
