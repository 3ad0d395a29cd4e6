using Grid.Data.Blocks;
using Grid.Data.Execution;
using Grid.Data.Formats;
using Grid.Data.Plan;
using Grid.Data.Rows;

namespace Grid.Data;

/// <summary>The sources of datasets (Ray's ray.data.read_* and from_*), on a <see cref="GridClient"/>.</summary>
public static class GridData
{
    /// <summary>Parquet files: a file, a directory (recursively) or a glob; one read task per row group (or per file).</summary>
    public static Dataset ReadParquet(this GridClient grid, string path, ReadOptions? options = null) => Read(grid, FileFormat.Parquet, path, options);

    /// <summary>CSV files with a header row; column types are inferred per file.</summary>
    public static Dataset ReadCsv(this GridClient grid, string path, ReadOptions? options = null) => Read(grid, FileFormat.Csv, path, options);

    /// <summary>JSON lines files (one object per line).</summary>
    public static Dataset ReadJson(this GridClient grid, string path, ReadOptions? options = null) => Read(grid, FileFormat.Json, path, options);

    private static Dataset Read(GridClient grid, FileFormat format, string path, ReadOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= ReadOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RowsPerBlock, 1);
        var full = Path.IsPathRooted(path) ? path : Path.GetFullPath(path);
        return new Dataset(grid, new ReadNode(format, full, options), DataOptions.Default);
    }

    /// <summary>
    /// A dataset of <paramref name="items"/> (records map to columns; scalars make one column "item"), split into
    /// <paramref name="blocks"/> blocks, put into the object store from this process when the dataset runs.
    /// </summary>
    public static Dataset FromItems<T>(this GridClient grid, IEnumerable<T> items, int blocks = 0)
    {
        var all = items as IReadOnlyList<T> ?? [.. items];
        if (blocks <= 0) blocks = Math.Clamp((int)Math.Ceiling(all.Count / (double)ReadOptions.Default.RowsPerBlock), 1, 200);
        var codec = RowCodecs.For<T>();
        var batches = new List<RecordBatch>();
        int per = Math.Max(1, (int)Math.Ceiling(all.Count / (double)blocks));
        for (int offset = 0; offset < all.Count; offset += per)
        {
            var rows = new List<T>(per);
            for (int i = offset; i < Math.Min(all.Count, offset + per); i++) rows.Add(all[i]);
            batches.Add(codec.Write(rows));
        }
        return new Dataset(grid, new ItemsNode(batches), DataOptions.Default);
    }

    /// <summary>The integers 0 .. count - 1 in a column "id", made by <paramref name="blocks"/> read tasks (0: one per 128 Ki rows).</summary>
    public static Dataset Range(this GridClient grid, long count, int blocks = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (blocks <= 0) blocks = (int)Math.Clamp((count + ReadOptions.Default.RowsPerBlock - 1) / ReadOptions.Default.RowsPerBlock, 1, 10_000);
        return new Dataset(grid, new RangeNode(count, blocks), DataOptions.Default);
    }
}
