namespace Grid.Data.Blocks;

/// <summary>
/// Operations on blocks (Arrow record batches) that the all-to-all operators and the executor build on. All are pure
/// functions: they never change their inputs, and their outputs may share buffers with them (slices, a single block
/// concatenated) but never expose a buffer to writes.
/// </summary>
internal static class BlockOps
{
    /// <summary>One block of the rows of <paramref name="blocks"/> in order (same schema, else <see cref="SchemaMismatchException"/>). At least one block.</summary>
    /// <remarks>Same schema: the same column names in the same order, of the same Arrow types; nullability may differ (the first block's schema is the result's).</remarks>
    public static RecordBatch Concat(IReadOnlyList<RecordBatch> blocks)
    {
        if (blocks.Count == 0)
            throw new ArgumentException("Concat needs at least one block (its schema is the result's).", nameof(blocks));
        var first = blocks[0];
        for (int b = 1; b < blocks.Count; b++)
            SchemaCheck.RequireSame(first.Schema, blocks[b].Schema, b);
        var nonEmpty = blocks.Where(b => b.Length > 0).ToList();
        if (nonEmpty.Count <= 1)
            return nonEmpty.Count == 0 ? Empty(first.Schema) : Retag(first.Schema, nonEmpty[0]);
        int length = nonEmpty.Sum(b => b.Length);
        var columns = new IArrowArray[first.ColumnCount];
        for (int c = 0; c < columns.Length; c++)
        {
            // Arrow's concatenator does not take the null type (a column of nulls only).
            columns[c] = first.Schema.FieldsList[c].DataType is NullType
                ? new NullArray(length)
                : ArrowArrayConcatenator.Concatenate(nonEmpty.Select(b => b.Column(c)).ToList());
        }
        return new RecordBatch(first.Schema, columns, length);
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    /// <remarks>Every column type is gathered (see <see cref="Gather"/>); nulls stay null. Index -1 gives a row of nulls.</remarks>
    public static RecordBatch Take(RecordBatch block, ReadOnlySpan<int> indices)
    {
        var columns = new IArrowArray[block.ColumnCount];
        for (int c = 0; c < columns.Length; c++)
            columns[c] = ArrowArrayFactory.BuildArray(Gather.Take(block.Column(c).Data, indices));
        return new RecordBatch(block.Schema, columns, indices.Length);
    }

    /// <summary>Rows [offset, offset + length) (zero-copy where Arrow can).</summary>
    /// <remarks>Always zero-copy: the slice shares its parent's buffers (keep the parent alive as long as the slice).</remarks>
    public static RecordBatch Slice(RecordBatch block, int offset, int length)
    {
        if (offset < 0 || length < 0 || offset > block.Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Rows [{offset}, {offset}+{length}) are not within the block's {block.Length} rows.");
        return block.Slice(offset, length);
    }

    /// <summary>A block of no rows.</summary>
    public static RecordBatch Empty(Schema schema) =>
        new(schema, schema.FieldsList.Select(f => ArrowArrayFactory.BuildArray(Gather.Empty(f.DataType))), 0);

    /// <summary>The bytes of a block's buffers (its size for memory budgets and stats).</summary>
    /// <remarks>The bytes its rows use, as pyarrow's nbytes: a slice counts its rows only (see <see cref="BlockSize"/>).</remarks>
    public static long SizeBytes(RecordBatch block) => BlockSize.Of(block);

    /// <summary>The block sorted by <paramref name="keys"/> (stable; nulls last).</summary>
    /// <remarks>Nulls last in descending order too; floats: NaN sorts before every number; strings by ordinal (UTF-8 bytes).</remarks>
    public static RecordBatch Sort(RecordBatch block, IReadOnlyList<SortKey> keys) =>
        Take(block, Sorting.SortedIndices(block, keys));

    /// <summary>Up to <paramref name="count"/> rows' key columns, chosen at random with <paramref name="seed"/>.</summary>
    /// <remarks>Distinct rows, uniformly, in block order; all rows when the block has at most <paramref name="count"/>.</remarks>
    public static RecordBatch SampleKeys(RecordBatch block, IReadOnlyList<SortKey> keys, int count, int seed) =>
        Sorting.SampleKeys(block, keys, count, seed);

    /// <summary>From samples of key columns: <paramref name="partitions"/> - 1 boundary rows (key columns, sorted) splitting them evenly.</summary>
    /// <remarks>Boundary i is the sorted samples' row at i * samples / partitions (rows may repeat when samples are few); with no sample rows at all, null rows.</remarks>
    public static RecordBatch Boundaries(IReadOnlyList<RecordBatch> samples, IReadOnlyList<SortKey> keys, int partitions) =>
        Sorting.Boundaries(samples, keys, partitions);

    /// <summary>Splits a block into boundaries.Length + 1 parts: part i holds the rows between boundary i - 1 and i (ties go right).</summary>
    /// <remarks>"Between" in the keys' order (descending keys and nulls last respected), so part i's rows all sort before part i + 1's; each part keeps block order.</remarks>
    public static RecordBatch[] RangePartition(RecordBatch block, IReadOnlyList<SortKey> keys, RecordBatch boundaries) =>
        Sorting.RangePartition(block, keys, boundaries);

    /// <summary>Merges blocks each sorted by <paramref name="keys"/> into one sorted block.</summary>
    /// <remarks>The result equals a stable sort of the blocks' concatenation (equal keys: earlier block first).</remarks>
    public static RecordBatch MergeSorted(IReadOnlyList<RecordBatch> sortedBlocks, IReadOnlyList<SortKey> keys) =>
        Sorting.MergeSorted(sortedBlocks, keys);

    /// <summary>Splits rows by a hash of <paramref name="keys"/> into <paramref name="partitions"/> parts (equal keys, same part, on every node).</summary>
    /// <remarks>Equal: equal values of the same Arrow type (an int32 5 and an int64 5 may go to different parts); nulls are equal to each other.</remarks>
    public static RecordBatch[] HashPartition(RecordBatch block, IReadOnlyList<string> keys, int partitions) =>
        Partitioning.HashPartition(block, keys, partitions);

    /// <summary>Sends each row to a part chosen by <paramref name="random"/>.</summary>
    public static RecordBatch[] RandomPartition(RecordBatch block, int partitions, Random random) =>
        Partitioning.RandomPartition(block, partitions, random);

    /// <summary>The rows in an order chosen by <paramref name="random"/> (Fisher–Yates).</summary>
    public static RecordBatch Shuffle(RecordBatch block, Random random) => Partitioning.Shuffle(block, random);

    /// <summary><paramref name="block"/> under <paramref name="schema"/> (an equal one: Concat's result has the first block's schema).</summary>
    private static RecordBatch Retag(Schema schema, RecordBatch block) =>
        ReferenceEquals(schema, block.Schema) ? block : new RecordBatch(schema, Enumerable.Range(0, block.ColumnCount).Select(block.Column), block.Length);
}
