using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.Inference.Tensors;

/// <summary>
/// Tensors that view memory Grid holds (an object store mapping) instead of copying it. TorchSharp has no public
/// factory over native memory, so this calls the one its native shim exports (THSTensor_new, torch::from_blob with
/// a deleter): the memory is pinned while libtorch holds the tensor's storage, and the pin is released by the deleter
/// libtorch calls when the storage goes (the tensor disposed or collected, and every view of it with it).
/// </summary>
internal static unsafe class TensorViews
{
    // Pins by data address: libtorch's deleter gets only the address. Several tensors may view one address at once
    // (tasks reading one object): each holds one pin of the same memory, and releasing any one of them is the same.
    private static readonly Dictionary<nint, Stack<MemoryHandle>> Pins = [];

    /// <summary>Pins currently held by tensor views (for tests: a view released its memory when this drops).</summary>
    public static int PinCount
    {
        get
        {
            lock (Pins) return Pins.Values.Sum(s => s.Count);
        }
    }

    /// <summary>A tensor over <paramref name="data"/> from <paramref name="offset"/>, or null when the memory cannot be pinned (read a copy then).</summary>
    public static Tensor? TryView(ReadOnlyMemory<byte> data, int offset, long[] shape, ScalarType dtype)
    {
        if (!MemoryMarshal.TryGetMemoryManager(data, out MemoryManager<byte>? source, out int start, out _)) return null;
        MemoryHandle pin;
        try { pin = source.Pin(start + offset); }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or ObjectDisposedException or InvalidOperationException)
        {
            return null;
        }
        if (pin.Pointer is null)
        {
            pin.Dispose();
            return null;
        }
        var address = (nint)pin.Pointer;
        lock (Pins)
        {
            if (!Pins.TryGetValue(address, out var stack)) Pins[address] = stack = new Stack<MemoryHandle>(1);
            stack.Push(pin);
        }
        IntPtr handle;
        fixed (long* dimensions = shape)
        {
            handle = THSTensor_new(address, &Release, (IntPtr)dimensions, shape.Length, (sbyte)dtype, (sbyte)dtype, (int)DeviceType.CPU, 0, 0);
        }
        if (handle == IntPtr.Zero)
        {
            ReleasePin(address);
            return null; // libtorch refused the view: read a copy
        }
        return Tensor.UnsafeCreateTensor(handle);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Release(IntPtr address) => ReleasePin(address);

    private static void ReleasePin(IntPtr address)
    {
        MemoryHandle pin = default;
        lock (Pins)
        {
            if (Pins.TryGetValue(address, out var stack))
            {
                pin = stack.Pop();
                if (stack.Count == 0) Pins.Remove(address);
            }
        }
        pin.Dispose();
    }

    // TorchSharp's native shim (LibTorchSharp), as TorchSharp 0.107 itself declares it: data, deleter, sizes, rank,
    // the data's scalar type, the tensor's dtype, device type and index, requires_grad.
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_new(IntPtr rawArray, delegate* unmanaged[Cdecl]<IntPtr, void> deleter, IntPtr dimensions, int numDimensions,
        sbyte type, sbyte dtype, int deviceType, int deviceIndex, byte requiresGrad);
}
