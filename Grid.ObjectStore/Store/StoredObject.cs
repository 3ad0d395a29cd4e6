using System.Buffers;

namespace Grid.ObjectStore;

/// <summary>
/// A lease on a sealed object: a zero-copy, read-only view of its mapped memory. Every lease on the same object
/// views the same pages. Dispose the lease when done: a deleted object's memory is unmapped only when its last
/// lease is gone, and <see cref="Memory"/> (or a span taken from it) must not be used after that.
/// </summary>
internal sealed class StoredObject : IDisposable
{
    private ObjectMemory? _memory;

    /// <summary>Takes over a reference the caller already added on <paramref name="memory"/>.</summary>
    internal StoredObject(ObjectId id, ObjectMemory memory)
    {
        Id = id;
        Size = memory.Length;
        _memory = memory;
    }

    public ObjectId Id { get; }

    public long Size { get; }

    /// <summary>
    /// The object's bytes, in place. Backed by a <see cref="MemoryManager{T}"/> whose <c>Pin</c> returns the mapped
    /// address (page aligned, data at offset 0) and holds its own lease until the handle is disposed.
    /// </summary>
    public ReadOnlyMemory<byte> Memory => Lease.Memory;

    public ReadOnlySpan<byte> Span => Lease.GetSpan();

    internal ObjectMemory Lease => Volatile.Read(ref _memory) ?? throw new ObjectDisposedException(nameof(StoredObject), $"The lease on object {Id} was disposed.");

    /// <summary>Releases the lease; idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _memory, null)?.Release();

    public override string ToString() => $"{Id} ({Size} bytes)";
}
