namespace Grid.Data.Blocks;

/// <summary>
/// The kernels of a distributed sort (Ray's sample sort): sample the key columns of every block, pick boundaries at
/// the samples' quantiles, range-partition each block, and merge each range's sorted parts. Order: by the keys in
/// turn, each ascending or descending, nulls after every value in both directions; stable (rows with equal keys
/// keep their order, and across blocks the order of the blocks).
/// </summary>
internal static class Sorting
{
    /// <summary>The row order of a stable sort of <paramref name="block"/> by <paramref name="keys"/>.</summary>
    public static int[] SortedIndices(RecordBatch block, IReadOnlyList<SortKey> keys) =>
        SortedIndices(block.Length, RowComparer.Create(block, block, keys));

    /// <summary>The order of a stable sort of rows 0 .. <paramref name="length"/> - 1 by <paramref name="comparer"/>.</summary>
    public static int[] SortedIndices(int length, RowComparer comparer)
    {
        var order = new int[length];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        // An introsort is not stable; breaking ties by row index makes every pair of rows ordered, hence stable.
        order.AsSpan().Sort(new StableOrder(comparer));
        return order;
    }

    private readonly struct StableOrder(RowComparer comparer) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            int order = comparer.Compare(x, y);
            return order != 0 ? order : x.CompareTo(y);
        }
    }

    public static RecordBatch SampleKeys(RecordBatch block, IReadOnlyList<SortKey> keys, int count, int seed)
    {
        var keyBlock = KeyColumns(block, keys);
        int n = block.Length;
        if (count >= n)
            return keyBlock;
        // Floyd's sampling: count distinct rows, uniformly, in O(count) time and memory; then in block order.
        var random = new Random(seed);
        var chosen = new HashSet<int>(Math.Max(count, 0));
        for (int j = n - count; j < n; j++)
        {
            int pick = random.Next(j + 1);
            chosen.Add(chosen.Contains(pick) ? j : pick);
        }
        var rows = chosen.ToArray();
        System.Array.Sort(rows);
        return BlockOps.Take(keyBlock, rows);
    }

    public static RecordBatch Boundaries(IReadOnlyList<RecordBatch> samples, IReadOnlyList<SortKey> keys, int partitions)
    {
        if (partitions < 1)
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "At least one partition.");
        if (samples.Count == 0)
            throw new ArgumentException("At least one sample block (an empty one gives the key columns' types).", nameof(samples));
        var all = BlockOps.Concat(samples.Select(s => KeyColumns(s, keys)).ToList());
        var sorted = BlockOps.Take(all, SortedIndices(all, keys));
        // Boundary i (1-based) is the sample at quantile i / partitions. With no samples at all the boundaries are
        // null rows, which send every non-null key to part 0: still partitions - 1 of them, as promised.
        var rows = new int[partitions - 1];
        for (int i = 1; i < partitions; i++)
            rows[i - 1] = sorted.Length == 0 ? -1 : (int)((long)i * sorted.Length / partitions);
        return BlockOps.Take(sorted, rows);
    }

    public static RecordBatch[] RangePartition(RecordBatch block, IReadOnlyList<SortKey> keys, RecordBatch boundaries)
    {
        var comparer = RowComparer.Create(block, boundaries, keys);
        int count = boundaries.Length;
        var parts = new int[block.Length];
        for (int row = 0; row < parts.Length; row++)
        {
            // The number of boundaries at or before the row: ties go to the right part.
            int low = 0, high = count;
            while (low < high)
            {
                int mid = (low + high) >>> 1;
                if (comparer.Compare(row, mid) >= 0)
                    low = mid + 1;
                else
                    high = mid;
            }
            parts[row] = low;
        }
        return Partitioning.Split(block, parts, count + 1);
    }

    public static RecordBatch MergeSorted(IReadOnlyList<RecordBatch> sortedBlocks, IReadOnlyList<SortKey> keys)
    {
        var all = BlockOps.Concat(sortedBlocks);
        if (sortedBlocks.Count == 1)
            return all;
        var comparer = RowComparer.Create(all, all, keys);
        // A k-way merge over the concatenation: each block's cursor is its next row's index in it; ties go to the
        // lower index, i.e. the earlier block, as a stable sort of the concatenation orders them.
        var ends = new int[sortedBlocks.Count];
        var heap = new PriorityQueue<int, int>(sortedBlocks.Count, Comparer<int>.Create(new StableOrder(comparer).Compare));
        for (int b = 0, start = 0; b < sortedBlocks.Count; start += sortedBlocks[b].Length, b++)
        {
            ends[b] = start + sortedBlocks[b].Length;
            if (sortedBlocks[b].Length > 0)
                heap.Enqueue(b, start);
        }
        var order = new int[all.Length];
        for (int k = 0; heap.TryDequeue(out int block, out int row); k++)
        {
            order[k] = row;
            if (row + 1 < ends[block])
                heap.Enqueue(block, row + 1);
        }
        return BlockOps.Take(all, order);
    }

    /// <summary>The key columns of <paramref name="block"/>, in the keys' order.</summary>
    private static RecordBatch KeyColumns(RecordBatch block, IReadOnlyList<SortKey> keys)
    {
        var indices = keys.Select(k => SchemaCheck.Require(block.Schema, k.Column, "sort by")).ToArray();
        var schema = new Schema(indices.Select(i => block.Schema.FieldsList[i]), null);
        return new RecordBatch(schema, indices.Select(block.Column), block.Length);
    }
}
