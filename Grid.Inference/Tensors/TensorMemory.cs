using System.Buffers;

namespace Grid.Inference.Tensors;

/// <summary>
/// The elements of a contiguous CPU tensor as <see cref="Memory{T}"/>, for a put that copies them straight into the
/// object store or onto the wire. It keeps the tensor reachable while the memory is in use; the caller must not dispose
/// the tensor meanwhile (a put awaits the copy before it returns).
/// </summary>
internal sealed unsafe class TensorMemory(Tensor tensor, int length) : MemoryManager<byte>
{
    private readonly Tensor _tensor = tensor;

    public override Span<byte> GetSpan() => _tensor.bytes[..length];

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)length, nameof(elementIndex));
        fixed (byte* start = _tensor.bytes) return new MemoryHandle(start + elementIndex, default, this);
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
