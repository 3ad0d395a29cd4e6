using System.Runtime.InteropServices;

namespace Grid.Data.Blocks;

/// <summary>
/// The bytes a block's rows take in its buffers, counted as pyarrow's <c>nbytes</c> counts them: for each array the
/// part of each buffer its elements use (validity bits, values, offsets, the value bytes between its first and last
/// offset, the children's elements they reference). A zero-copy slice therefore counts only its rows, not the
/// buffers it shares with its parent, and the builders' padding is not counted. Types without a layout rule below
/// (unions, view and large types) count all their buffers scaled by the slice's share of them (an estimate).
/// </summary>
internal static class BlockSize
{
    public static long Of(RecordBatch block)
    {
        long total = 0;
        for (int c = 0; c < block.ColumnCount; c++)
            total += Of(block.Column(c).Data);
        return total;
    }

    public static long Of(ArrayData data)
    {
        long length = data.Length;
        long validity = data.Buffers is { Length: > 0 } && !data.Buffers[0].IsEmpty ? (length + 7) / 8 : 0;
        switch (data.DataType)
        {
            case NullType:
                return 0;
            case StringType or BinaryType:
            {
                var (first, end) = OffsetRange(data);
                return validity + (length + 1) * sizeof(int) + (end - first);
            }
            case ListType or MapType:
            {
                var (first, end) = OffsetRange(data);
                return validity + (length + 1) * sizeof(int) + Of(data.Children[0].Slice(first, end - first));
            }
            case FixedSizeListType list:
                return validity + Of(data.Children[0].Slice(data.Offset * list.ListSize, data.Length * list.ListSize));
            case StructType:
                return validity + data.Children.Sum(child => Of(child.Slice(data.Offset, data.Length)));
            case DictionaryType dict:
                return validity + length * ((FixedWidthType)dict.IndexType).BitWidth / 8 + Of(data.Dictionary);
            case FixedWidthType fixedWidth:
                return validity + (fixedWidth.BitWidth == 1 ? (length + 7) / 8 : length * fixedWidth.BitWidth / 8);
            default:
            {
                long buffers = data.Buffers?.Sum(b => (long)b.Length) ?? 0;
                long children = data.Children?.Sum(Of) ?? 0;
                long extent = Math.Max(1, data.Offset + length);
                return (buffers + children) * length / extent;
            }
        }
    }

    private static (int First, int End) OffsetRange(ArrayData data)
    {
        if (data.Length == 0)
            return (0, 0);
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        return (offsets[data.Offset], offsets[data.Offset + data.Length]);
    }
}
