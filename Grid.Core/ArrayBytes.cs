using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.Core;

/// <summary>
/// The bytes of an array of primitives as <see cref="Memory{T}"/> of bytes, without copying them: what lets a remote
/// client push a large array's elements in chunks straight from the array (sockets pin it through <see cref="Pin"/>).
/// </summary>
internal sealed class ArrayBytes(Array array) : MemoryManager<byte>
{
    private readonly int _length = checked((int)Buffer.ByteLength(array));

    public override Span<byte> GetSpan() =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), _length);

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)_length) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return new MemoryHandle(start + elementIndex, handle);
    }

    // Each Pin owns its GCHandle, freed when its MemoryHandle is disposed.
    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
