namespace Grid.Data.Blocks;

// CONTRACT STUB (helper "blocks" fills it in).

/// <summary>Operations on blocks (Arrow record batches) that the all-to-all operators and the executor build on.</summary>
internal static class BlockOps
{
    /// <summary>One block of the rows of <paramref name="blocks"/> in order (same schema, else <see cref="SchemaMismatchException"/>). At least one block.</summary>
    public static RecordBatch Concat(IReadOnlyList<RecordBatch> blocks) => throw new NotImplementedException();

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public static RecordBatch Take(RecordBatch block, ReadOnlySpan<int> indices) => throw new NotImplementedException();

    /// <summary>Rows [offset, offset + length) (zero-copy where Arrow can).</summary>
    public static RecordBatch Slice(RecordBatch block, int offset, int length) => throw new NotImplementedException();

    /// <summary>A block of no rows.</summary>
    public static RecordBatch Empty(Schema schema) => throw new NotImplementedException();

    /// <summary>The bytes of a block's buffers (its size for memory budgets and stats).</summary>
    public static long SizeBytes(RecordBatch block) => throw new NotImplementedException();

    /// <summary>The block sorted by <paramref name="keys"/> (stable; nulls last).</summary>
    public static RecordBatch Sort(RecordBatch block, IReadOnlyList<SortKey> keys) => throw new NotImplementedException();

    /// <summary>Up to <paramref name="count"/> rows' key columns, chosen at random with <paramref name="seed"/>.</summary>
    public static RecordBatch SampleKeys(RecordBatch block, IReadOnlyList<SortKey> keys, int count, int seed) => throw new NotImplementedException();

    /// <summary>From samples of key columns: <paramref name="partitions"/> - 1 boundary rows (key columns, sorted) splitting them evenly.</summary>
    public static RecordBatch Boundaries(IReadOnlyList<RecordBatch> samples, IReadOnlyList<SortKey> keys, int partitions) => throw new NotImplementedException();

    /// <summary>Splits a block into boundaries.Length + 1 parts: part i holds the rows between boundary i - 1 and i (ties go right).</summary>
    public static RecordBatch[] RangePartition(RecordBatch block, IReadOnlyList<SortKey> keys, RecordBatch boundaries) => throw new NotImplementedException();

    /// <summary>Merges blocks each sorted by <paramref name="keys"/> into one sorted block.</summary>
    public static RecordBatch MergeSorted(IReadOnlyList<RecordBatch> sortedBlocks, IReadOnlyList<SortKey> keys) => throw new NotImplementedException();

    /// <summary>Splits rows by a hash of <paramref name="keys"/> into <paramref name="partitions"/> parts (equal keys, same part, on every node).</summary>
    public static RecordBatch[] HashPartition(RecordBatch block, IReadOnlyList<string> keys, int partitions) => throw new NotImplementedException();

    /// <summary>Sends each row to a part chosen by <paramref name="random"/>.</summary>
    public static RecordBatch[] RandomPartition(RecordBatch block, int partitions, Random random) => throw new NotImplementedException();

    /// <summary>The rows in an order chosen by <paramref name="random"/> (Fisher–Yates).</summary>
    public static RecordBatch Shuffle(RecordBatch block, Random random) => throw new NotImplementedException();
}
