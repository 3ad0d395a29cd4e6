using System.Buffers;
using System.Runtime.InteropServices;
using Grid.Inference.Torch;
using Grid.Serialization;

namespace Grid.Inference.Tensors;

/// <summary>
/// A torch tensor as a Grid value: its dtype, whether it requires grad, its shape, then its elements in row-major
/// order as one 8-aligned raw block, the layout of an unmanaged array. A tensor on a GPU, or not contiguous, is
/// written from a contiguous CPU copy; every tensor read is on the CPU (move it with <c>.to(device)</c>).
/// </summary>
/// <remarks>
/// Reading is zero-copy when the bytes lie in memory that can be pinned (the object store's mapping on the node that
/// holds the object): the tensor is a view of that memory, which stays pinned until the tensor is disposed or
/// collected. Such a tensor shares its memory with every other reader of the object: treat it as read-only (clone it
/// before changing it in place). Found by name by <see cref="ExternalCodecs"/>.
/// </remarks>
internal sealed class TensorCodec : ClassCodec<Tensor>, IRawValueCodec
{
    public long RawBytes(object value) => value is Tensor t && TensorLayout.ElementSizeOrNull(t.dtype) is { } size ? t.numel() * size : 0;

    /// <summary>A contiguous CPU tensor's elements in place (what <see cref="WriteBody"/> writes as its last bytes).</summary>
    public bool TryGetBlock(object value, out ReadOnlyMemory<byte> block, out IDisposable? keepAlive)
    {
        block = default;
        keepAlive = null;
        if (value is not Tensor t || t.device_type != DeviceType.CPU || !t.is_contiguous() || TensorLayout.ElementSizeOrNull(t.dtype) is not { } size) return false;
        long bytes = t.numel() * size;
        if (bytes is 0 or > int.MaxValue) return false;
        var memory = new TensorMemory(t, (int)bytes);
        block = memory.Memory;
        return true;
    }

    public override int MinSize => 4;

    public override void WriteBody(ref GridWriter writer, Tensor value)
    {
        var dtype = value.dtype;
        long elementSize = TensorLayout.ElementSize(dtype);
        var shape = value.shape;
        using var scope = NewDisposeScope();
        var flat = value.device_type == DeviceType.CPU ? value : value.cpu();
        if (!flat.is_contiguous()) flat = flat.contiguous();
        writer.WriteByte((byte)dtype);
        writer.WriteByte(value.requires_grad ? (byte)1 : (byte)0);
        writer.WriteVarUInt((uint)shape.Length);
        foreach (var length in shape) writer.WriteUnmanaged(length);
        long bytes = flat.numel() * elementSize;
        writer.WriteUnmanaged(bytes);
        if (bytes > int.MaxValue)
            throw new GridException($"A tensor of {bytes} bytes is larger than one Grid value may be (2 GB): split it (torch.chunk) and send the parts.");
        writer.WriteRawBlock(TensorLayout.Bytes(flat, (int)bytes));
    }

    public override Tensor ReadBody(ref GridReader reader)
    {
        var dtype = (ScalarType)reader.ReadByte();
        long elementSize = TensorLayout.ElementSizeOrNull(dtype) ?? throw GridReader.Corrupt($"a tensor's dtype is {(int)dtype}");
        bool requiresGrad = reader.ReadByte() != 0;
        int rank = reader.ReadCount(8);
        var shape = new long[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = reader.ReadUnmanaged<long>();
            if (shape[i] < 0) throw GridReader.Corrupt($"a tensor's dimension {i} is {shape[i]}");
            elements = checked(elements * shape[i]);
        }
        long bytes = reader.ReadUnmanaged<long>();
        if (bytes != checked(elements * elementSize)) throw GridReader.Corrupt($"a tensor of {elements} elements of {dtype} holds {bytes} bytes");
        TorchRuntime.EnsureLoaded();
        int count = reader.AlignForRawBlock(bytes);
        Tensor tensor;
        if (count > 0 && TensorViews.TryView(reader.Memory, reader.Position, shape, dtype) is { } view)
        {
            tensor = view;
            reader.Skip(count);
        }
        else
        {
            tensor = TensorLayout.Copy(reader.ReadBytes(count), shape, dtype);
        }
        if (requiresGrad) tensor.requires_grad_(true);
        return tensor;
    }
}

/// <summary>Sizes and bytes of tensors' elements.</summary>
internal static class TensorLayout
{
    public static long? ElementSizeOrNull(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => null, // quantized tensors: no raw layout to send
    };

    public static long ElementSize(ScalarType dtype) => ElementSizeOrNull(dtype)
        ?? throw new GridException($"A tensor of dtype {dtype} cannot travel as a Grid value: dequantize it (tensor.dequantize()) first.");

    /// <summary>The memory of a contiguous CPU tensor.</summary>
    public static ReadOnlySpan<byte> Bytes(Tensor contiguousCpu, int byteCount) => byteCount == 0 ? default : contiguousCpu.bytes[..byteCount];

    /// <summary>A new tensor holding a copy of <paramref name="bytes"/>.</summary>
    public static Tensor Copy(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype)
    {
        var tensor = empty(shape, dtype);
        if (bytes.Length > 0) bytes.CopyTo(tensor.bytes);
        return tensor;
    }
}
