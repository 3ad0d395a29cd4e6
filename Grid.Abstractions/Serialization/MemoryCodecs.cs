using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.Serialization;

/// <summary>
/// ReadOnlyMemory&lt;T&gt; of an unmanaged T: its length + 1, then its memory as one 8-aligned raw
/// block: the layout of T[], so a value written as T[] can be read as ReadOnlyMemory&lt;T&gt; and back. Reading is zero-copy when it can be: if the input bytes are owned by
/// a <see cref="MemoryManager{T}"/> (e.g. an object-store mapping) the result is a view over them;
/// otherwise the block is copied into a new T[].
/// </summary>
/// <remarks>
/// The view is only valid while the source memory is: it keeps the source manager reachable, but if
/// its owner unmaps or reuses the memory, the view sees that.
/// </remarks>
internal sealed class RawReadOnlyMemoryCodec<T> : Codec<ReadOnlyMemory<T>> where T : unmanaged
{
    public override void Write(ref GridWriter writer, ReadOnlyMemory<T> value)
    {
        writer.WriteVarUInt((uint)value.Length + 1);
        writer.WriteRawBlock(MemoryMarshal.AsBytes(value.Span));
    }

    public override ReadOnlyMemory<T> Read(ref GridReader reader)
    {
        int length = reader.ReadLengthOrNull(Unsafe.SizeOf<T>());
        if (length < 0) return default; // a null T[]
        int byteCount = reader.AlignForRawBlock((long)length * Unsafe.SizeOf<T>());
        if (length > 0 && TryView(reader.Memory, reader.Position, length, out var view))
        {
            reader.Skip(byteCount);
            return view;
        }
        var array = GC.AllocateUninitializedArray<T>(length);
        reader.ReadBytes(byteCount).CopyTo(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }

    private static bool TryView(ReadOnlyMemory<byte> data, int offset, int length, out ReadOnlyMemory<T> view)
    {
        view = PinnedMemoryManager<T>.TryCreate(data, offset, length) is { } pinned ? pinned.Memory : default;
        return !view.IsEmpty;
    }
}

/// <summary>Memory&lt;T&gt; of an unmanaged T: as ReadOnlyMemory&lt;T&gt; (a view is writable, over the source bytes).</summary>
internal sealed class RawMemoryCodec<T> : Codec<Memory<T>> where T : unmanaged
{
    private readonly RawReadOnlyMemoryCodec<T> _inner = new();
    public override void Write(ref GridWriter writer, Memory<T> value) => _inner.Write(ref writer, value);
    public override Memory<T> Read(ref GridReader reader) => MemoryMarshal.AsMemory(_inner.Read(ref reader));
}

/// <summary>ReadOnlyMemory&lt;T&gt; of any other T: length + 1 and its elements (the layout of T[]), read back into a new T[].</summary>
internal sealed class ReadOnlyMemoryCodec<T> : Codec<ReadOnlyMemory<T>>
{
    private Codec<T> _element = null!;

    public override void Initialize() => _element = (Codec<T>)CodecRegistry.ForDeclared(typeof(T));

    public override void Write(ref GridWriter writer, ReadOnlyMemory<T> value)
    {
        writer.Enter(typeof(ReadOnlyMemory<T>));
        writer.WriteVarUInt((uint)value.Length + 1);
        try
        {
            foreach (var item in value.Span) _element.Write(ref writer, item);
        }
        catch (UnsupportedTypeException e) { throw e.In(typeof(ReadOnlyMemory<T>), "[]"); }
        writer.Exit();
    }

    public override ReadOnlyMemory<T> Read(ref GridReader reader)
    {
        int length = reader.ReadLengthOrNull(_element.MinSize);
        if (length < 0) return default;
        reader.Enter();
        var array = new T[length];
        for (int i = 0; i < array.Length; i++) array[i] = _element.Read(ref reader);
        reader.Exit();
        return array;
    }
}

/// <summary>Memory&lt;T&gt; of any other T.</summary>
internal sealed class MemoryCodec<T> : Codec<Memory<T>>
{
    private readonly ReadOnlyMemoryCodec<T> _inner = new();
    public override void Initialize() => _inner.Initialize();
    public override void Write(ref GridWriter writer, Memory<T> value) => _inner.Write(ref writer, value);
    public override Memory<T> Read(ref GridReader reader) => MemoryMarshal.AsMemory(_inner.Read(ref reader));
}

/// <summary>
/// A view of <typeparamref name="T"/>s over memory that is already pinned (a pointer and a length),
/// used for zero-copy reads. Holds the source manager so the memory's owner stays reachable for as
/// long as the view is, and the pin handle, released when the view is disposed or, since views are
/// handed to user code that never disposes them, when the view is garbage collected: the object
/// store counts pins as readers, and an object with readers can neither spill nor be unmapped.
/// </summary>
/// <remarks>
/// As with any <see cref="MemoryManager{T}"/>, a span taken from the view is valid while the view is
/// reachable; Grid keeps a task's arguments reachable until the task returns.
/// </remarks>
internal sealed unsafe class PinnedMemoryManager<T> : MemoryManager<T> where T : unmanaged
{
    private readonly T* _pointer;
    private readonly int _length;
    private MemoryHandle _pin;

    public PinnedMemoryManager(MemoryHandle pin, int length, MemoryManager<byte> source)
    {
        _pin = pin;
        _pointer = (T*)pin.Pointer;
        _length = length;
        Source = source;
    }

    /// <summary>The manager of the serialized bytes this view lies in.</summary>
    public MemoryManager<byte> Source { get; }

    /// <summary>
    /// A view of <paramref name="length"/> Ts at <paramref name="offset"/> of <paramref name="data"/> when its bytes lie
    /// in memory that can be pinned (an object store mapping), else null: the caller reads a copy.
    /// </summary>
    public static PinnedMemoryManager<T>? TryCreate(ReadOnlyMemory<byte> data, int offset, int length)
    {
        if (length <= 0 || !MemoryMarshal.TryGetMemoryManager(data, out MemoryManager<byte>? source, out int start, out _)) return null;
        MemoryHandle handle;
        try { handle = source.Pin(start + offset); }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or ObjectDisposedException or InvalidOperationException)
        {
            return null; // a manager that cannot pin: fall back to a copy
        }
        if (handle.Pointer is null)
        {
            handle.Dispose();
            return null;
        }
        return new PinnedMemoryManager<T>(handle, length, source);
    }

    public override Span<T> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_pointer + elementIndex, default, this);
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        _pin.Dispose();
        _pin = default; // MemoryHandle.Dispose is not idempotent across copies; the finalizer must not unpin twice
        if (disposing) GC.SuppressFinalize(this);
    }

    // CA2015 warns that a span taken from this view does not keep it reachable. Accepted: without the finalizer a
    // view that user code drops (they never dispose views) would pin its object forever, so it could never spill.
    // The runtime keeps task arguments reachable until the task returns (GC.KeepAlive in the executor), and the
    // same rule already holds for the mapping itself, whose handle's finalizer unmaps it once unreachable.
#pragma warning disable CA2015
    ~PinnedMemoryManager() => Dispose(false);
#pragma warning restore CA2015
}
