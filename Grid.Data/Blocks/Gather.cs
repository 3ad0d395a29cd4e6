using System.Runtime.InteropServices;

namespace Grid.Data.Blocks;

/// <summary>
/// Gathers the elements of an Arrow array at given positions into a new array (Arrow's "take"), for any type: fixed-width
/// types (ints, floats, bool, temporal types, decimals, fixed-size binary, dictionary indices) and int32-offset
/// binary/string copy their value buffers directly; lists, maps, fixed-size lists and structs gather their children
/// recursively; any other type (large and view types, unions) is concatenated from runs of slices (slower, correct).
/// Index -1 gives a null element (the aggregation's min/max states and empty boundaries use it).
/// </summary>
internal static class Gather
{
    /// <summary>The elements of <paramref name="data"/> at logical positions <paramref name="indices"/> (-1: null).</summary>
    public static ArrayData Take(ArrayData data, ReadOnlySpan<int> indices)
    {
        IArrowType type = data.DataType;
        int n = indices.Length;
        switch (type.TypeId)
        {
            case ArrowTypeId.Null:
                return new NullArray(n).Data;
            case ArrowTypeId.Binary or ArrowTypeId.String:
                return TakeBinary(data, indices);
            case ArrowTypeId.List or ArrowTypeId.Map:
                return TakeList(data, indices);
            case ArrowTypeId.FixedSizeList:
                return TakeFixedSizeList(data, indices, ((FixedSizeListType)type).ListSize);
            case ArrowTypeId.Struct:
            {
                int[] childIndices = Shift(indices, data.Offset);
                var children = data.Children.Select(c => Take(c, childIndices)).ToArray();
                var validity = TakeValidity(data, indices, out int nulls);
                return new ArrayData(type, n, nulls, 0, [validity], children);
            }
            case ArrowTypeId.Dictionary:
            {
                int width = ((FixedWidthType)((DictionaryType)type).IndexType).BitWidth / 8;
                var validity = TakeValidity(data, indices, out int nulls);
                var values = TakeFixedWidth(data.Buffers[1].Span, data.Offset, width, indices);
                return new ArrayData(type, n, nulls, 0, [validity, values], null, data.Dictionary);
            }
        }
        if (type is FixedWidthType fixedWidth && (fixedWidth.BitWidth == 1 || fixedWidth.BitWidth % 8 == 0))
        {
            var validity = TakeValidity(data, indices, out int nulls);
            var values = fixedWidth.BitWidth == 1
                ? TakeBits(data.Buffers[1].Span, data.Offset, indices)
                : TakeFixedWidth(data.Buffers[1].Span, data.Offset, fixedWidth.BitWidth / 8, indices);
            return new ArrayData(type, n, nulls, 0, [validity, values]);
        }
        return TakeBySlices(data, indices);
    }

    /// <summary>An array of no elements of <paramref name="type"/> (buffers laid out as Arrow expects them).</summary>
    public static ArrayData Empty(IArrowType type)
    {
        var empty = ArrowBuffer.Empty;
        var zeroOffset = new ArrowBuffer(new byte[sizeof(int)]);
        var zeroLargeOffset = new ArrowBuffer(new byte[sizeof(long)]);
        return type switch
        {
            NullType => new NullArray(0).Data,
            StringType or BinaryType => new ArrayData(type, 0, 0, 0, [empty, zeroOffset, empty]),
            LargeStringType or LargeBinaryType => new ArrayData(type, 0, 0, 0, [empty, zeroLargeOffset, empty]),
            ListType list => new ArrayData(type, 0, 0, 0, [empty, zeroOffset], [Empty(list.ValueDataType)]),
            MapType map => new ArrayData(type, 0, 0, 0, [empty, zeroOffset], [Empty(map.KeyValueType)]),
            LargeListType list => new ArrayData(type, 0, 0, 0, [empty, zeroLargeOffset], [Empty(list.ValueDataType)]),
            FixedSizeListType list => new ArrayData(type, 0, 0, 0, [empty], [Empty(list.ValueDataType)]),
            StructType st => new ArrayData(type, 0, 0, 0, [empty], st.Fields.Select(f => Empty(f.DataType)).ToArray()),
            DictionaryType dict => new ArrayData(type, 0, 0, 0, [empty, empty], null, Empty(dict.ValueType)),
            FixedWidthType => new ArrayData(type, 0, 0, 0, [empty, empty]),
            _ => throw new NotSupportedException($"Grid.Data cannot make an empty array of Arrow type {type.Name}."),
        };
    }

    /// <summary>The gathered validity bitmap (empty when no element is null) and its null count.</summary>
    private static ArrowBuffer TakeValidity(ArrayData data, ReadOnlySpan<int> indices, out int nullCount)
    {
        ReadOnlySpan<byte> source = data.GetNullCount() > 0 ? data.Buffers[0].Span : default;
        int offset = data.Offset;
        var bitmap = new byte[(indices.Length + 7) / 8];
        nullCount = 0;
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if (i >= 0 && (source.IsEmpty || BitUtility.GetBit(source, offset + i)))
                bitmap[j >> 3] |= (byte)(1 << (j & 7));
            else
                nullCount++;
        }
        return nullCount == 0 ? ArrowBuffer.Empty : new ArrowBuffer(bitmap);
    }

    private static ArrowBuffer TakeBits(ReadOnlySpan<byte> source, int offset, ReadOnlySpan<int> indices)
    {
        var bits = new byte[(indices.Length + 7) / 8];
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if (i >= 0 && BitUtility.GetBit(source, offset + i))
                bits[j >> 3] |= (byte)(1 << (j & 7));
        }
        return new ArrowBuffer(bits);
    }

    /// <summary>Copies elements of <paramref name="width"/> bytes; the common widths go through typed spans.</summary>
    private static ArrowBuffer TakeFixedWidth(ReadOnlySpan<byte> source, int offset, int width, ReadOnlySpan<int> indices)
    {
        var result = new byte[indices.Length * width];
        switch (width)
        {
            case 1: TakeValues<byte>(source, offset, result, indices); break;
            case 2: TakeValues<short>(source, offset, result, indices); break;
            case 4: TakeValues<int>(source, offset, result, indices); break;
            case 8: TakeValues<long>(source, offset, result, indices); break;
            case 16: TakeValues<Int128>(source, offset, result, indices); break;
            default:
                for (int j = 0; j < indices.Length; j++)
                {
                    if (indices[j] >= 0)
                        source.Slice((offset + indices[j]) * width, width).CopyTo(result.AsSpan(j * width));
                }
                break;
        }
        return new ArrowBuffer(result);
    }

    private static void TakeValues<T>(ReadOnlySpan<byte> source, int offset, Span<byte> result, ReadOnlySpan<int> indices)
        where T : unmanaged
    {
        ReadOnlySpan<T> values = MemoryMarshal.Cast<byte, T>(source)[offset..];
        Span<T> target = MemoryMarshal.Cast<byte, T>(result);
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            target[j] = i >= 0 ? values[i] : default;
        }
    }

    private static ArrayData TakeBinary(ArrayData data, ReadOnlySpan<int> indices)
    {
        ReadOnlySpan<int> offsets = Offsets(data);
        ReadOnlySpan<byte> bytes = data.Buffers[2].Span;
        var newOffsets = new int[indices.Length + 1];
        var newBytes = new byte[ValueCount(offsets, indices, newOffsets)];
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if (i >= 0)
                bytes[offsets[i]..offsets[i + 1]].CopyTo(newBytes.AsSpan(newOffsets[j]));
        }
        var validity = TakeValidity(data, indices, out int nulls);
        return new ArrayData(data.DataType, indices.Length, nulls, 0,
            [validity, new ArrowBuffer(MemoryMarshal.AsBytes(newOffsets.AsSpan()).ToArray()), new ArrowBuffer(newBytes)]);
    }

    private static ArrayData TakeList(ArrayData data, ReadOnlySpan<int> indices)
    {
        ReadOnlySpan<int> offsets = Offsets(data);
        var newOffsets = new int[indices.Length + 1];
        var childIndices = new int[ValueCount(offsets, indices, newOffsets)];
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if (i < 0)
                continue;
            for (int k = offsets[i], at = newOffsets[j]; k < offsets[i + 1]; k++, at++)
                childIndices[at] = k;
        }
        var validity = TakeValidity(data, indices, out int nulls);
        var offsetBuffer = new ArrowBuffer(MemoryMarshal.AsBytes(newOffsets.AsSpan()).ToArray());
        return new ArrayData(data.DataType, indices.Length, nulls, 0, [validity, offsetBuffer], [Take(data.Children[0], childIndices)]);
    }

    private static ArrayData TakeFixedSizeList(ArrayData data, ReadOnlySpan<int> indices, int size)
    {
        var childIndices = new int[indices.Length * size];
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            for (int k = 0; k < size; k++)
                childIndices[j * size + k] = i < 0 ? -1 : (data.Offset + i) * size + k;
        }
        var validity = TakeValidity(data, indices, out int nulls);
        return new ArrayData(data.DataType, indices.Length, nulls, 0, [validity], [Take(data.Children[0], childIndices)]);
    }

    /// <summary>The int32 offsets of a binary/list array from its first element (length + 1 of them).</summary>
    private static ReadOnlySpan<int> Offsets(ArrayData data) =>
        data.Length == 0 ? [0] : MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);

    /// <summary>Fills <paramref name="newOffsets"/> for the gathered elements and returns their total value count.</summary>
    private static int ValueCount(ReadOnlySpan<int> offsets, ReadOnlySpan<int> indices, Span<int> newOffsets)
    {
        long total = 0;
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if (i >= 0)
                total += offsets[i + 1] - offsets[i];
            if (total > int.MaxValue)
                throw new DataException($"A block gathered more than {int.MaxValue} values into one column: use smaller blocks.");
            newOffsets[j + 1] = (int)total;
        }
        return (int)total;
    }

    private static int[] Shift(ReadOnlySpan<int> indices, int offset)
    {
        var shifted = new int[indices.Length];
        for (int j = 0; j < indices.Length; j++)
            shifted[j] = indices[j] < 0 ? -1 : indices[j] + offset;
        return shifted;
    }

    /// <summary>The general path: concatenates slices of the runs of consecutive indices (no nulls by -1 here).</summary>
    private static ArrayData TakeBySlices(ArrayData data, ReadOnlySpan<int> indices)
    {
        if (indices.Length == 0)
            return Empty(data.DataType);
        var slices = new List<IArrowArray>();
        for (int start = 0; start < indices.Length;)
        {
            if (indices[start] < 0)
                throw new NotSupportedException($"Grid.Data cannot make a null element of Arrow type {data.DataType.Name}.");
            int end = start + 1;
            while (end < indices.Length && indices[end] == indices[end - 1] + 1)
                end++;
            slices.Add(ArrowArrayFactory.BuildArray(data.Slice(indices[start], end - start)));
            start = end;
        }
        return slices.Count == 1 ? slices[0].Data : ArrowArrayConcatenator.Concatenate(slices).Data;
    }
}
