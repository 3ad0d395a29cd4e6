using Grid.Data.Blocks;
using Grid.Data.Rows;

namespace Grid.Data.Execution;

/// <summary>One fused operator where it runs: a block in, a block out (possibly of no rows); null when it made none (a write).</summary>
internal abstract class BlockTransform(string name)
{
    public string Name { get; } = name;

    public abstract RecordBatch? Apply(RecordBatch input, int blockIndex);

    /// <summary>Runs user code, turning what it throws into the dataset's error naming this operator and the block.</summary>
    protected TResult User<TResult>(Func<TResult> call, int blockIndex)
    {
        try { return call(); }
        catch (Exception e) when (e is not DataException and not OperationCanceledException)
        {
            throw new DatasetOperatorException(Name, blockIndex, e);
        }
    }
}

/// <summary>Map: one output row per input row.</summary>
internal sealed class MapTransform<TIn, TOut>(string name, Func<TIn, TOut> f) : BlockTransform(name)
{
    public override RecordBatch Apply(RecordBatch input, int blockIndex)
    {
        var rows = RowCodecs.For<TIn>().Read(input);
        var output = User(() =>
        {
            var result = new TOut[rows.Count];
            for (int i = 0; i < result.Length; i++) result[i] = f(rows[i]);
            return result;
        }, blockIndex);
        return RowCodecs.For<TOut>().Write(output, input.Schema);
    }
}

/// <summary>Filter: the rows the predicate keeps, with all their columns (not only those TIn reads).</summary>
internal sealed class FilterTransform<TIn>(string name, Func<TIn, bool> predicate) : BlockTransform(name)
{
    public override RecordBatch Apply(RecordBatch input, int blockIndex)
    {
        var rows = RowCodecs.For<TIn>().Read(input);
        var kept = User(() =>
        {
            var indices = new List<int>(rows.Count);
            for (int i = 0; i < rows.Count; i++) if (predicate(rows[i])) indices.Add(i);
            return indices;
        }, blockIndex);
        return kept.Count == rows.Count ? input : BlockOps.Take(input, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept));
    }
}

/// <summary>FlatMap: any number of output rows per input row.</summary>
internal sealed class FlatMapTransform<TIn, TOut, TMany>(string name, Func<TIn, TMany> f) : BlockTransform(name) where TMany : IEnumerable<TOut>
{
    public override RecordBatch Apply(RecordBatch input, int blockIndex)
    {
        var rows = RowCodecs.For<TIn>().Read(input);
        var output = User(() =>
        {
            var result = new List<TOut>(rows.Count);
            foreach (var row in rows) result.AddRange(f(row));
            return result;
        }, blockIndex);
        return RowCodecs.For<TOut>().Write(output, input.Schema);
    }
}

/// <summary>Splits a block into batches of at most <c>batchSize</c> rows (0: the whole block) and concatenates what a function makes of each.</summary>
internal abstract class BatchTransform(string name, int batchSize) : BlockTransform(name)
{
    public override RecordBatch Apply(RecordBatch input, int blockIndex)
    {
        if (batchSize <= 0 || input.Length <= batchSize) return Call(input, blockIndex); // one call: the whole block
        var outputs = new List<RecordBatch>();
        for (int offset = 0; offset < input.Length; offset += batchSize)
            outputs.Add(Call(BlockOps.Slice(input, offset, Math.Min(batchSize, input.Length - offset)), blockIndex));
        return BlockOps.Concat(outputs);
    }

    protected abstract RecordBatch Call(RecordBatch batch, int blockIndex);
}

/// <summary>MapBatches over Arrow batches, as tasks or on an actor (whose instance the factory bound into <c>f</c>).</summary>
internal sealed class ArrowBatchTransform(string name, int batchSize, Func<RecordBatch, RecordBatch> f) : BatchTransform(name, batchSize)
{
    protected override RecordBatch Call(RecordBatch batch, int blockIndex) => User(() => f(batch), blockIndex);
}

/// <summary>MapBatches over typed rows: a list of TIn in, a sequence of TOut out.</summary>
internal sealed class RowBatchTransform<TIn, TOut, TMany>(string name, int batchSize, Func<IReadOnlyList<TIn>, TMany> f) : BatchTransform(name, batchSize)
    where TMany : IEnumerable<TOut>
{
    protected override RecordBatch Call(RecordBatch batch, int blockIndex)
    {
        var rows = RowCodecs.For<TIn>().Read(batch);
        var output = User(() => f(rows).ToList(), blockIndex);
        return RowCodecs.For<TOut>().Write(output, batch.Schema);
    }
}

/// <summary>AddColumn: a column computed from each row, appended (or replacing one of the same name).</summary>
internal sealed class AddColumnTransform<TIn, TValue>(string name, string column, Func<TIn, TValue> f) : BlockTransform(name)
{
    public override RecordBatch Apply(RecordBatch input, int blockIndex)
    {
        var rows = RowCodecs.For<TIn>().Read(input);
        var values = User(() =>
        {
            var result = new TValue[rows.Count];
            for (int i = 0; i < result.Length; i++) result[i] = f(rows[i]);
            return result;
        }, blockIndex);
        var added = Grid.Data.Columns.Batch((column, values));
        return SchemaOps.WithColumn(input, added.Schema.GetFieldByIndex(0), added.Column(0));
    }
}

/// <summary>SelectColumns, DropColumns and RenameColumns: schema changes only, no copy of the data.</summary>
internal sealed class ColumnsTransform(string name, Func<RecordBatch, RecordBatch> change) : BlockTransform(name)
{
    public override RecordBatch Apply(RecordBatch input, int blockIndex) => change(input);
}
