namespace Grid.Data.Blocks;

/// <summary>The kernels of the shuffles: hash partitioning (GroupBy), random partitioning and shuffling (RandomShuffle).</summary>
internal static class Partitioning
{
    /// <summary>
    /// Part of a row: the XxHash64 of its key values, column after column (each seeded with the hash so far), modulo
    /// <paramref name="partitions"/>. The hash reads only value bytes, so it is the same on every process and machine.
    /// </summary>
    public static RecordBatch[] HashPartition(RecordBatch block, IReadOnlyList<string> keys, int partitions)
    {
        RequirePartitions(partitions);
        var columns = RowComparer.Keys(block, keys);
        var parts = new int[block.Length];
        for (int row = 0; row < parts.Length; row++)
        {
            ulong hash = 0;
            foreach (var column in columns)
                hash = column.Hash(row, hash);
            parts[row] = (int)(hash % (ulong)partitions);
        }
        return Split(block, parts, partitions);
    }

    public static RecordBatch[] RandomPartition(RecordBatch block, int partitions, Random random)
    {
        RequirePartitions(partitions);
        var parts = new int[block.Length];
        for (int row = 0; row < parts.Length; row++)
            parts[row] = random.Next(partitions);
        return Split(block, parts, partitions);
    }

    public static RecordBatch Shuffle(RecordBatch block, Random random)
    {
        var order = new int[block.Length];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return BlockOps.Take(block, order);
    }

    /// <summary>The rows of each part, in block order: part p holds the rows whose <paramref name="parts"/> entry is p.</summary>
    public static RecordBatch[] Split(RecordBatch block, int[] parts, int partitions)
    {
        var counts = new int[partitions + 1];
        foreach (int part in parts)
            counts[part + 1]++;
        for (int p = 0; p < partitions; p++)
            counts[p + 1] += counts[p];
        // A counting sort of the rows by part: one index array, each part a contiguous, ordered range of it.
        var rows = new int[parts.Length];
        var next = counts[..partitions];
        for (int row = 0; row < parts.Length; row++)
            rows[next[parts[row]]++] = row;
        var result = new RecordBatch[partitions];
        for (int p = 0; p < partitions; p++)
            result[p] = BlockOps.Take(block, rows.AsSpan(counts[p], counts[p + 1] - counts[p]));
        return result;
    }

    private static void RequirePartitions(int partitions)
    {
        if (partitions < 1)
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "At least one partition.");
    }
}
