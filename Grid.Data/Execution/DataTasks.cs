using System.Diagnostics;
using Grid.Data.Blocks;
using Grid.Data.Formats;
using Grid.Functions;
using Grid.Wire;

namespace Grid.Data.Execution;

/// <summary>
/// The data tasks' entry points, run on the nodes (Grid.Data is one of the assemblies every node carries): a read
/// task reads one share of a source and passes each batch through its fused stage; a transform task passes one
/// block through its stage. Both yield blocks and their metadata as a stream (<see cref="BlockItem"/>).
/// </summary>
internal static class DataTasks
{
    public static IEnumerable<BlockItem> Read(SourceSpec source, StageSpec stage, int taskIndex)
    {
        var runner = new StageRunner(stage);
        int part = 0;
        using var batches = SourceBatches(source).GetEnumerator();
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            if (!batches.MoveNext()) yield break;
            var read = Stopwatch.GetElapsedTime(start).TotalSeconds;
            foreach (var item in runner.Run(batches.Current, taskIndex, part++, read)) yield return item;
        }
    }

    public static IEnumerable<BlockItem> Transform(BlockItem input, StageSpec stage, int blockIndex) =>
        new StageRunner(stage).Run(input.Block ?? throw new DataException("A data task got a metadata item where a block was expected."), blockIndex, 0);

    private static IEnumerable<RecordBatch> SourceBatches(SourceSpec source)
    {
        if (source.Kind == SourceKind.Files)
            return FileFormats.Read(LocalFileSystem.Instance, source.Format, source.Fragment!, source.Columns, source.RowsPerBlock, source.Csv);
        return RangeBatches(source.RangeStart, source.RangeCount, source.RowsPerBlock);
    }

    private static IEnumerable<RecordBatch> RangeBatches(long start, long count, int rowsPerBlock)
    {
        for (long offset = 0; offset < count; offset += rowsPerBlock)
        {
            var ids = new long[Math.Min(rowsPerBlock, count - offset)];
            for (int i = 0; i < ids.Length; i++) ids[i] = start + offset + i;
            yield return Columns.Batch(("id", ids));
        }
    }
}

/// <summary>
/// An actor of a MapBatches actor pool: builds the user's class once (its constructor by descriptor, with the
/// arguments the driver evaluated) and passes each block it is sent through its stage with that instance.
/// </summary>
internal sealed class BatchWorker
{
    private readonly StageRunner _runner;

    public BatchWorker(FunctionDescriptor constructor, object?[] arguments, StageSpec stage)
    {
        var create = UserFunctions.Resolve(constructor);
        object instance;
        try
        {
            instance = create.InvokeAsync(null, arguments).AsTask().GetAwaiter().GetResult()!;
        }
        catch (Exception e) when (e is not DataException)
        {
            throw new DatasetOperatorException(stage.Ops[0].Name, -1, e);
        }
        _runner = new StageRunner(stage, instance);
    }

    public IEnumerable<BlockItem> Process(BlockItem input, int blockIndex) =>
        _runner.Run(input.Block ?? throw new DataException("A data actor got a metadata item where a block was expected."), blockIndex, 0);
}

/// <summary>The exchange tasks' entry points (see <see cref="Executor"/>'s exchange).</summary>
internal static class ExchangeTasks
{
    /// <summary>A map task: the block's parts, each as a block (or its empty place) and its metadata, part 0 first.</summary>
    public static IEnumerable<BlockItem> Map(BlockItem input, ExchangeSpec spec, int blockIndex)
    {
        var block = input.Block ?? throw new DataException("An exchange task got a metadata item where a block was expected.");
        var parts = spec.Map switch
        {
            MapKind.RandomPartition => BlockOps.RandomPartition(block, spec.Partitions, new Random(HashCode.Combine(spec.Seed, blockIndex))),
            MapKind.RangePartition => BlockOps.RangePartition(block, spec.Keys, spec.Boundaries!),
            MapKind.SampleKeys => [BlockOps.SampleKeys(block, spec.Keys, SamplesPerBlock, HashCode.Combine(spec.Seed, blockIndex))],
            _ => [Aggregation.Partial(block, [.. spec.Keys.Select(k => k.Column)], spec.Aggregates)],
        };
        foreach (var part in parts)
            foreach (var item in BlockItems.Of(part)) yield return item;
    }

    /// <summary>Key rows sampled per block to choose range boundaries.</summary>
    private const int SamplesPerBlock = 64;

    /// <summary>A reduce task: reads its slices (on this node when they are here) and combines them into one block.</summary>
    public static async IAsyncEnumerable<BlockItem> Reduce(List<SliceRef> inputs, ExchangeSpec spec, int index)
    {
        var parts = new List<RecordBatch>(inputs.Count);
        foreach (var slice in inputs)
        {
            var block = (await slice.Block.GetAsync().ConfigureAwait(false)).Block!;
            parts.Add(slice.Length < 0 ? block : BlockOps.Slice(block, slice.Offset, slice.Length));
        }
        var result = spec.Kind switch
        {
            ReduceKind.FinalAggregate => Aggregation.Final(parts, [.. spec.Keys.Select(k => k.Column)], spec.Aggregates),
            _ when parts.Count == 0 => null,
            ReduceKind.ConcatShuffle => BlockOps.Shuffle(BlockOps.Concat(parts), new Random(HashCode.Combine(spec.Seed, index))),
            ReduceKind.ConcatSort => BlockOps.Sort(BlockOps.Concat(parts), spec.Keys),
            _ => parts.Count == 1 ? parts[0] : BlockOps.Concat(parts),
        };
        foreach (var item in BlockItems.Of(result)) yield return item;
    }
}

/// <summary>The two stream items of one output block: the block (or an empty item when it has no rows) and its metadata.</summary>
internal static class BlockItems
{
    public static IEnumerable<BlockItem> Of(RecordBatch? block, string[]? files = null, long[]? opRows = null, double[]? opSeconds = null)
    {
        var node = GridContext.TryGetCurrent()?.NodeId ?? default;
        bool empty = block is not { Length: > 0 };
        yield return empty ? new BlockItem() : new BlockItem { Block = block };
        yield return new BlockItem
        {
            Meta = new BlockMeta
            {
                Empty = empty,
                Rows = empty ? 0 : block!.Length,
                Bytes = empty ? 0 : BlockOps.SizeBytes(block!),
                Node = node,
                Files = files,
                OpRows = opRows ?? [empty ? 0 : block!.Length],
                OpSeconds = opSeconds ?? [],
            },
        };
    }
}
