using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Grid.Data.Blocks;
using Grid.Data.Execution;
using Grid.Data.Formats;
using Grid.Data.Plan;
using Grid.Data.Rows;

namespace Grid.Data;

/// <summary>
/// A distributed dataset (Ray Data's Dataset): an immutable, lazily planned chain of operators over blocks, each block
/// an Arrow record batch stored as one Grid object. Transforms return a new Dataset and run nothing; consuming it
/// (<see cref="CountAsync"/>, <see cref="TakeAsync{T}"/>, <see cref="IterRowsAsync{T}"/>, a write …) runs the plan in
/// the streaming executor: row-wise operators fused into one task per block, blocks flowing on as they are made.
/// </summary>
/// <remarks>
/// Functions passed to transforms run on the nodes: they must be static methods or lambdas that capture nothing
/// (<see cref="CapturingLambdaException"/> otherwise), as with <c>grid.Function</c>. Rows are a record type whose
/// properties name columns, or <see cref="Row"/>.
/// </remarks>
public sealed class Dataset
{
    private DatasetStats? _stats;

    internal Dataset(GridClient grid, PlanNode plan, DataOptions options)
    {
        Grid = grid;
        Plan = plan;
        Options = options;
    }

    public GridClient Grid { get; }
    internal PlanNode Plan { get; }
    public DataOptions Options { get; }

    /// <summary>The same plan run with other options.</summary>
    public Dataset WithOptions(Func<DataOptions, DataOptions> change)
    {
        var options = change(Options);
        options.Validate();
        return new Dataset(Grid, Plan, options);
    }

    private Dataset With(PlanNode node) => new(Grid, node, Options);

    private Dataset Row(StageOpKind kind, string name, Delegate? function, Action<StageOpBuilder>? more = null)
    {
        var op = new StageOpBuilder { Kind = kind, Name = name, Function = function is null ? null : UserFunctions.Describe(function) };
        more?.Invoke(op);
        return With(new RowNode(Plan, op.Build()));
    }

    private static string Named(string op, Delegate f) => $"{op}({FunctionName(f)})";

    private static string FunctionName(Delegate f) => f.Method.Name.Contains('<') ? "lambda" : f.Method.Name;

    // ---- row-wise transforms (fused) ---------------------------------------------------------------

    /// <summary>One output row per input row (Ray's map).</summary>
    public Dataset Map<TIn, TOut>(Func<TIn, TOut> f) => Row(StageOpKind.Map, Named("Map", f), f);

    /// <summary>The rows <paramref name="predicate"/> keeps, with all their columns.</summary>
    public Dataset Filter<T>(Func<T, bool> predicate) => Row(StageOpKind.Filter, Named("Filter", predicate), predicate);

    /// <summary>Any number of output rows per input row.</summary>
    public Dataset FlatMap<TIn, TOut>(Func<TIn, IEnumerable<TOut>> f) => Row(StageOpKind.FlatMap, Named("FlatMap", f), f);

    /// <summary>A function of Arrow batches of at most <paramref name="batchSize"/> rows (0: whole blocks), run as tasks.</summary>
    public Dataset MapBatches(Func<RecordBatch, RecordBatch> f, int batchSize = 0) =>
        Row(StageOpKind.MapBatches, Named("MapBatches", f), f, o => o.BatchSize = batchSize);

    /// <summary>A function of typed row batches (a list of TIn in, rows of TOut out), run as tasks.</summary>
    public Dataset MapBatches<TIn, TOut>(Func<IReadOnlyList<TIn>, IEnumerable<TOut>> f, int batchSize = 0) =>
        Row(StageOpKind.MapRowBatches, Named("MapBatches", f), f, o => o.BatchSize = batchSize);

    /// <summary>
    /// Batch inference's shape: a pool of actors of <typeparamref name="TActor"/>, each built once from
    /// <paramref name="create"/> (a constructor call, e.g. <c>() => new Embedder("model.dat")</c>: a model loads once per
    /// actor), called with Arrow batches through <paramref name="call"/> (a static lambda, e.g.
    /// <c>static (Embedder e, RecordBatch b) => e.Embed(b)</c>). The pool grows from MinSize to MaxSize while busy.
    /// </summary>
    public Dataset MapBatches<TActor>(Expression<Func<TActor>> create, Func<TActor, RecordBatch, RecordBatch> call, ActorPoolOptions pool) where TActor : class =>
        ActorPool(create, call, StageOpKind.ActorBatches, pool);

    /// <summary>As <see cref="MapBatches{TActor}"/>, with typed row batches.</summary>
    public Dataset MapBatches<TActor, TIn, TOut>(Expression<Func<TActor>> create, Func<TActor, IReadOnlyList<TIn>, IEnumerable<TOut>> call, ActorPoolOptions pool) where TActor : class =>
        ActorPool(create, call, StageOpKind.ActorRowBatches, pool);

    private Dataset ActorPool<TActor>(Expression<Func<TActor>> create, Delegate call, StageOpKind kind, ActorPoolOptions pool)
    {
        pool.Validate();
        if (create.Body is not NewExpression { Constructor: { } ctor } n)
            throw new ArgumentException($"An actor pool's actors are created from a constructor call, like () => new Model(path); got '{create.Body}'.", nameof(create));
        var args = n.Arguments.Select(a => Expression.Lambda<Func<object?>>(Expression.Convert(a, typeof(object))).Compile(preferInterpretation: true)()).ToArray();
        var op = new StageOpBuilder { Kind = kind, Name = $"MapBatches({typeof(TActor).Name})", Function = UserFunctions.Describe(call), BatchSize = pool.BatchSize };
        return With(new ActorPoolNode(Plan, global::Grid.Functions.FunctionCatalog.Describe(ctor), args, op.Build(), pool));
    }

    /// <summary>A column computed from each row, appended (or replacing the column of that name).</summary>
    public Dataset AddColumn<TIn, TValue>(string column, Func<TIn, TValue> f) =>
        Row(StageOpKind.AddColumn, $"AddColumn({column})", f, o => o.Column = column);

    public Dataset SelectColumns(params string[] columns) => Row(StageOpKind.SelectColumns, $"SelectColumns({string.Join(", ", columns)})", null, o => o.Columns = columns);

    public Dataset DropColumns(params string[] columns) => Row(StageOpKind.DropColumns, $"DropColumns({string.Join(", ", columns)})", null, o => o.Columns = columns);

    /// <summary>Renames columns: (old, new) pairs.</summary>
    public Dataset RenameColumns(params (string From, string To)[] names) =>
        Row(StageOpKind.RenameColumns, "RenameColumns", null, o => o.Columns = [.. names.SelectMany(p => new[] { p.From, p.To })]);

    // ---- other operators ---------------------------------------------------------------------------

    /// <summary>The first <paramref name="count"/> rows; the plan stops reading once it has them.</summary>
    public Dataset Limit(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return With(new LimitNode(Plan, count));
    }

    /// <summary>
    /// <paramref name="blocks"/> blocks: without <paramref name="shuffle"/> the rows keep their order, split evenly;
    /// with it, rows go to random blocks (a full shuffle).
    /// </summary>
    public Dataset Repartition(int blocks, bool shuffle = false, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        return With(new ExchangeNode(Plan, ExchangeKind.Repartition, $"Repartition({blocks})") { Partitions = blocks, Shuffle = shuffle, Seed = seed });
    }

    /// <summary>The rows in a random order; the same <paramref name="seed"/> gives the same order for the same input blocks.</summary>
    public Dataset RandomShuffle(int? seed = null) => With(new ExchangeNode(Plan, ExchangeKind.RandomShuffle, "RandomShuffle") { Seed = seed });

    /// <summary>Sorted by <paramref name="column"/> (nulls last).</summary>
    public Dataset Sort(string column, bool descending = false) => Sort(new SortKey(column, descending));

    /// <summary>Sorted by several keys (nulls last).</summary>
    public Dataset Sort(params SortKey[] keys)
    {
        if (keys.Length == 0) throw new ArgumentException("Sort needs at least one key.", nameof(keys));
        return With(new ExchangeNode(Plan, ExchangeKind.Sort, $"Sort({string.Join(", ", keys.Select(k => k.Descending ? k.Column + " desc" : k.Column))})") { Keys = keys });
    }

    /// <summary>Groups rows by the key columns (no keys: one group of all rows) for an aggregate.</summary>
    public GroupedDataset GroupBy(params string[] keys) => new(this, keys);

    internal Dataset Aggregate(string[] keys, AggregateFn[] aggregates) =>
        With(new ExchangeNode(Plan, ExchangeKind.Aggregate, $"Aggregate({string.Join(", ", aggregates.Select(a => a.Name))})")
        {
            Keys = [.. keys.Select(k => new SortKey(k))],
            Aggregates = aggregates,
        });

    /// <summary>The rows of this dataset, then those of <paramref name="others"/>.</summary>
    public Dataset Union(params Dataset[] others) => With(new UnionNode([Plan, .. others.Select(o => o.Plan)]));

    // ---- consumption -------------------------------------------------------------------------------

    /// <summary>The rows (without reading the blocks to this process).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        long rows = 0;
        await foreach (var block in RunAsync(Plan, cancellationToken).ConfigureAwait(false))
            using (block) rows += block.Meta.Rows;
        return rows;
    }

    /// <summary>The schema of the dataset's blocks (runs the plan until its first block).</summary>
    public async Task<Schema> SchemaAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var batch in BatchesAsync(new LimitNode(Plan, 1), cancellationToken).ConfigureAwait(false)) return batch.Schema;
        throw new DataException("The dataset has no rows, so no schema: its source is empty or every row was filtered out.");
    }

    /// <summary>The first <paramref name="count"/> rows as <typeparamref name="T"/> (a record, or <see cref="Data.Row"/>).</summary>
    public async Task<IReadOnlyList<T>> TakeAsync<T>(int count = 20, CancellationToken cancellationToken = default)
    {
        var rows = new List<T>();
        await foreach (var row in RowsAsync<T>(new LimitNode(Plan, count), cancellationToken).ConfigureAwait(false)) rows.Add(row);
        return rows;
    }

    /// <summary>Every row, in this process.</summary>
    public async Task<IReadOnlyList<T>> TakeAllAsync<T>(CancellationToken cancellationToken = default)
    {
        var rows = new List<T>();
        await foreach (var row in RowsAsync<T>(Plan, cancellationToken).ConfigureAwait(false)) rows.Add(row);
        return rows;
    }

    /// <summary>The rows as they arrive, block after block.</summary>
    public IAsyncEnumerable<T> IterRowsAsync<T>(CancellationToken cancellationToken = default) => RowsAsync<T>(Plan, cancellationToken);

    /// <summary>Arrow batches of <paramref name="batchSize"/> rows (the last may be smaller; 0: whole blocks), as they arrive.</summary>
    public async IAsyncEnumerable<RecordBatch> IterBatchesAsync(int batchSize = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pending = new List<RecordBatch>();
        int pendingRows = 0;
        await foreach (var block in BatchesAsync(Plan, cancellationToken).ConfigureAwait(false))
        {
            if (batchSize <= 0)
            {
                yield return block;
                continue;
            }
            for (int offset = 0; offset < block.Length;)
            {
                int take = Math.Min(batchSize - pendingRows, block.Length - offset);
                pending.Add(BlockOps.Slice(block, offset, take));
                pendingRows += take;
                offset += take;
                if (pendingRows < batchSize) continue;
                yield return BlockOps.Concat(pending);
                pending.Clear();
                pendingRows = 0;
            }
        }
        if (pendingRows > 0) yield return BlockOps.Concat(pending);
    }

    /// <summary>Runs the plan and keeps its blocks in the object store: a dataset that reads them instead of running again.</summary>
    public async Task<Dataset> MaterializeAsync(CancellationToken cancellationToken = default)
    {
        var blocks = new List<BlockHandle>();
        await foreach (var block in RunAsync(Plan, cancellationToken).ConfigureAwait(false)) blocks.Add(block);
        var materialized = new Dataset(Grid, new BlocksNode("Materialized", blocks), Options);
        materialized._stats = _stats;
        return materialized;
    }

    /// <summary>Writes one Parquet file per block under <paramref name="directory"/>, by the tasks that hold the blocks. Returns the files.</summary>
    public Task<IReadOnlyList<string>> WriteParquetAsync(string directory, CancellationToken cancellationToken = default) => WriteAsync(FileFormat.Parquet, directory, cancellationToken);

    /// <summary>Writes one CSV file (with a header) per block under <paramref name="directory"/>.</summary>
    public Task<IReadOnlyList<string>> WriteCsvAsync(string directory, CancellationToken cancellationToken = default) => WriteAsync(FileFormat.Csv, directory, cancellationToken);

    /// <summary>Writes one JSON lines file per block under <paramref name="directory"/>.</summary>
    public Task<IReadOnlyList<string>> WriteJsonAsync(string directory, CancellationToken cancellationToken = default) => WriteAsync(FileFormat.Json, directory, cancellationToken);

    private async Task<IReadOnlyList<string>> WriteAsync(FileFormat format, string directory, CancellationToken cancellationToken)
    {
        var write = new StageOpBuilder
        {
            Kind = StageOpKind.Write,
            Name = $"Write{format}",
            Write = new WriteSpec { Format = format, Directory = Path.GetFullPath(directory), Prefix = Guid.NewGuid().ToString("N")[..12] },
        };
        var plan = new RowNode(Plan, write.Build());
        var run = new Executor(Grid, Options);
        await foreach (var block in run.RunAsync(plan, cancellationToken).ConfigureAwait(false)) block.Dispose();
        _stats = run.Stats;
        return [.. run.Files.Order(StringComparer.Ordinal)];
    }

    /// <summary>Rows, blocks, bytes and time per operator of this dataset's last run (null before one).</summary>
    public DatasetStats? Stats() => _stats;

    public override string ToString() => Plan.ToString();

    // ---- running -----------------------------------------------------------------------------------

    private async IAsyncEnumerable<BlockHandle> RunAsync(PlanNode plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = new Executor(Grid, Options);
        try
        {
            await foreach (var block in run.RunAsync(plan, cancellationToken).ConfigureAwait(false)) yield return block;
        }
        finally
        {
            _stats = run.Stats;
        }
    }

    private async IAsyncEnumerable<RecordBatch> BatchesAsync(PlanNode plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var block in RunAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            RecordBatch batch;
            using (block) batch = (await block.Ref.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Block!;
            yield return batch;
        }
    }

    private async IAsyncEnumerable<T> RowsAsync<T>(PlanNode plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var codec = RowCodecs.For<T>();
        await foreach (var batch in BatchesAsync(plan, cancellationToken).ConfigureAwait(false))
            foreach (var row in codec.Read(batch)) yield return row;
    }
}

/// <summary>A dataset grouped by key columns: each aggregate gives a dataset of one row per group, sorted by key.</summary>
public sealed class GroupedDataset
{
    private readonly Dataset _dataset;
    private readonly string[] _keys;

    internal GroupedDataset(Dataset dataset, string[] keys)
    {
        _dataset = dataset;
        _keys = keys;
    }

    public Dataset Count() => Aggregate(AggregateFn.Count());
    public Dataset Sum(string column) => Aggregate(AggregateFn.Sum(column));
    public Dataset Min(string column) => Aggregate(AggregateFn.Min(column));
    public Dataset Max(string column) => Aggregate(AggregateFn.Max(column));
    public Dataset Mean(string column) => Aggregate(AggregateFn.Mean(column));
    public Dataset Std(string column) => Aggregate(AggregateFn.Std(column));

    /// <summary>Several aggregates at once: the key columns, then one column per aggregate (named as Ray names them, e.g. "sum(x)").</summary>
    public Dataset Aggregate(params AggregateFn[] aggregates)
    {
        if (aggregates.Length == 0) throw new ArgumentException("Aggregate needs at least one aggregate.", nameof(aggregates));
        return _dataset.Aggregate(_keys, aggregates);
    }
}

/// <summary>Builds a <see cref="StageOp"/> (its init-only properties set step by step).</summary>
internal sealed class StageOpBuilder
{
    public StageOpKind Kind;
    public string Name = "";
    public Grid.Wire.FunctionDescriptor? Function;
    public string[]? Columns;
    public string? Column;
    public int BatchSize;
    public WriteSpec? Write;

    public StageOp Build() => new() { Kind = Kind, Name = Name, Function = Function, Columns = Columns, Column = Column, BatchSize = BatchSize, Write = Write };
}
