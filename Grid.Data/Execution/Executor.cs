using System.Runtime.CompilerServices;
using Grid.Data.Formats;
using Grid.Data.Plan;

namespace Grid.Data.Execution;

/// <summary>
/// The streaming executor: turns a logical plan into stages and runs them as one pipeline of async streams of
/// blocks. A source and the row-wise operators after it run as one read task per fragment; row-wise operators after
/// another operator run as one task per block, on the block's node when it has room (soft node affinity); actor
/// pools, limits and exchanges are stages of their own. Every stage keeps at most
/// <see cref="DataOptions.MaxTasksInFlight"/> tasks running and puts blocks out in input order; sources also wait
/// for the plan's <see cref="MemoryBudget"/>.
/// </summary>
internal sealed partial class Executor(GridClient grid, DataOptions options)
{
    private readonly MemoryBudget _budget = new(options.Budget);
    private readonly RunStats _stats = new();

    public DatasetStats Stats => _stats.Snapshot();
    public IEnumerable<string> Files => _stats.Files;

    private TaskOptions TaskOptions => new() { NumCpus = options.TaskCpus, MaxRetries = options.TaskMaxRetries, GeneratorBackpressure = 2 };

    public async IAsyncEnumerable<BlockHandle> RunAsync(PlanNode plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var progress = ProgressView.StartIfWanted(options, _stats);
        await foreach (var block in Build(plan, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false)) yield return block;
    }

    private IAsyncEnumerable<BlockHandle> Build(PlanNode node, CancellationToken cancellationToken)
    {
        // The row-wise operators at the end of this chain, fused into one stage with what comes before them.
        var fused = new List<StageOp>();
        var below = node;
        while (below is RowNode row)
        {
            fused.Insert(0, row.Op);
            below = row.Input!;
        }
        var stage = new StageSpec { Ops = [.. fused] };
        switch (below)
        {
            case ReadNode read: return ReadAsync(read, stage, cancellationToken);
            case RangeNode range: return RangeAsync(range, stage, cancellationToken);
        }
        var upstream = below switch
        {
            // Each stage's counters are made after its input's, so Stats() lists operators in plan order.
            ItemsNode items => ItemsAsync(items, _stats.Stage(["FromItems"]), cancellationToken),
            BlocksNode blocks => BorrowAsync(blocks),
            ActorPoolNode pool => Stage(Build(pool.Input!, cancellationToken), pool.Name, (input, counters) => ActorPoolAsync(pool, counters, input, cancellationToken)),
            LimitNode limit => Stage(Build(limit.Input!, cancellationToken), limit.Name, (input, counters) => LimitAsync(limit, counters, input, cancellationToken)),
            ExchangeNode exchange => Stage(Build(exchange.Input!, cancellationToken), exchange.Name, (input, counters) => ExchangeAsync(exchange, counters, input, cancellationToken)),
            UnionNode union => UnionAsync(union, cancellationToken),
            _ => throw new DataException($"Cannot run a plan with {below.GetType().Name} here."),
        };
        return fused.Count == 0 ? upstream : TransformAsync(stage, upstream, cancellationToken);
    }

    private IAsyncEnumerable<BlockHandle> Stage(IAsyncEnumerable<BlockHandle> input, string name,
        Func<IAsyncEnumerable<BlockHandle>, OperatorCounters[], IAsyncEnumerable<BlockHandle>> stage) => stage(input, _stats.Stage([name]));

    // ---- sources -----------------------------------------------------------------------------------

    private IAsyncEnumerable<BlockHandle> ReadAsync(ReadNode read, StageSpec stage, CancellationToken cancellationToken)
    {
        var fs = read.Options.FileSystem ?? LocalFileSystem.Instance;
        var files = fs.List(read.Path, [FileFormats.Extension(read.Format), .. read.Format == FileFormat.Json ? new[] { ".json" } : []]);
        var fragments = FileFormats.Fragments(fs, read.Format, files, read.Options.TaskPerRowGroup);
        var sources = fragments.Select(f => new SourceSpec
        {
            Kind = SourceKind.Files,
            Format = read.Format,
            Fragment = f,
            Columns = read.Options.Columns?.ToArray(),
            Csv = read.Options.Csv,
            RowsPerBlock = read.Options.RowsPerBlock,
        });
        return SourceAsync(read.Name, sources, stage, cancellationToken);
    }

    private IAsyncEnumerable<BlockHandle> RangeAsync(RangeNode range, StageSpec stage, CancellationToken cancellationToken)
    {
        long per = Math.Max(1, (range.Count + range.Blocks - 1) / range.Blocks);
        var sources = Enumerable.Range(0, range.Blocks)
            .Select(i => new SourceSpec { Kind = SourceKind.Range, RangeStart = i * per, RangeCount = Math.Clamp(range.Count - i * per, 0, per), RowsPerBlock = (int)Math.Min(per, int.MaxValue) })
            .Where(s => s.RangeCount > 0);
        return SourceAsync("Range", sources, stage, cancellationToken);
    }

    private IAsyncEnumerable<BlockHandle> SourceAsync(string name, IEnumerable<SourceSpec> sources, StageSpec stage, CancellationToken cancellationToken)
    {
        var counters = _stats.Stage([name, .. stage.Ops.Select(o => o.Name)]);
        var read = grid.Function<SourceSpec, StageSpec, int, IEnumerable<BlockItem>>(DataTasks.Read, TaskOptions);
        var indexed = sources.Select((source, index) => (source, index)).ToAsyncEnumerable();
        var slot = new StageSlot(isSource: true);
        return Ordered.RunAsync(indexed, async (input, ct) =>
        {
            await _budget.StartAsync(slot, ct).ConfigureAwait(false);
            counters[0].TaskStarted();
            var stream = read.RemoteStream(input.source, stage, input.index);
            return Consume(stream, counters, () => _budget.Stop(slot), ct);
        }, options.MaxTasksInFlight, () => Done(counters), cancellationToken);
    }

    private async IAsyncEnumerable<BlockHandle> ItemsAsync(ItemsNode items, OperatorCounters[] counters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = 0; i < items.Batches.Count; i++)
        {
            var batch = items.Batches[i];
            var meta = new BlockMeta { Rows = batch.Length, Bytes = Blocks.BlockOps.SizeBytes(batch) };
            var reference = await grid.PutAsync(new BlockItem { Block = batch }, cancellationToken).ConfigureAwait(false);
            _stats.RecordBlock(counters[0], meta);
            _budget.Hold(meta.Bytes);
            yield return new BlockHandle(reference, meta, i, _budget);
        }
        Done(counters);
    }

    private static async IAsyncEnumerable<BlockHandle> BorrowAsync(BlocksNode blocks)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        for (int i = 0; i < blocks.Blocks.Count; i++) yield return blocks.Blocks[i].Borrow(i);
    }

    private async IAsyncEnumerable<BlockHandle> UnionAsync(UnionNode union, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int index = 0;
        foreach (var input in union.Inputs)
            await foreach (var block in Build(input, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                block.Index = index++;
                yield return block;
            }
    }

    // ---- row-wise stages ---------------------------------------------------------------------------

    private IAsyncEnumerable<BlockHandle> TransformAsync(StageSpec stage, IAsyncEnumerable<BlockHandle> input, CancellationToken cancellationToken)
    {
        var counters = _stats.Stage(stage.Ops.Select(o => o.Name));
        var slot = new StageSlot(isSource: false);
        return Ordered.RunAsync(Numbered(input), async (block, ct) =>
        {
            await _budget.StartAsync(slot, ct).ConfigureAwait(false);
            var opts = TaskOptions;
            if (!string.IsNullOrEmpty(block.Block.Meta.Node.Value)) opts = opts with { Scheduling = SchedulingStrategy.NodeAffinity(block.Block.Meta.Node, soft: true) };
            var transform = grid.Function<BlockItem, StageSpec, int, IEnumerable<BlockItem>>(DataTasks.Transform, opts);
            counters[0].TaskStarted();
            var stream = transform.RemoteStream(block.Block.Ref, stage, block.Index);
            return Consume(stream, counters, () =>
            {
                _budget.Stop(slot);
                block.Block.Dispose();
            }, ct);
        }, options.MaxTasksInFlight, () => Done(counters), cancellationToken);
    }

    /// <summary>Blocks with their position in the stream (the index a stage reports errors and names files by).</summary>
    private static async IAsyncEnumerable<(BlockHandle Block, int Index)> Numbered(IAsyncEnumerable<BlockHandle> input)
    {
        int index = 0;
        await foreach (var block in input.ConfigureAwait(false)) yield return (block, index++);
    }

    /// <summary>
    /// Reads a data task's stream: pairs of items, a block (or its empty place) and its metadata. Only the metadata is
    /// read here. <paramref name="done"/> runs when the stream ends, however it ends.
    /// </summary>
    private async IAsyncEnumerable<BlockHandle> Consume(ObjectRefStream<BlockItem> stream, OperatorCounters[] counters, Action? done,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await using var _ = ((IAsyncDisposable)stream).ConfigureAwait(false);
            int part = 0;
            while (await stream.NextAsync(cancellationToken).ConfigureAwait(false) is { } blockRef)
            {
                var metaRef = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
                if (metaRef is null)
                {
                    using (blockRef) await blockRef.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false); // the task's failure
                    throw new DataException("A data task's stream ended between a block and its metadata.");
                }
                BlockMeta meta;
                using (metaRef) meta = (await metaRef.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Meta
                    ?? throw new DataException("A data task sent a block where its metadata was expected.");
                _stats.Record(counters, meta);
                int index = part++;
                if (meta.Empty)
                {
                    blockRef.Dispose();
                    continue;
                }
                _budget.Hold(meta.Bytes);
                yield return new BlockHandle(blockRef, meta, index, _budget);
            }
        }
        finally
        {
            done?.Invoke();
        }
    }

    private static void Done(OperatorCounters[] counters)
    {
        foreach (var c in counters) c.Done = true;
    }

    // ---- limit -------------------------------------------------------------------------------------

    private async IAsyncEnumerable<BlockHandle> LimitAsync(LimitNode limit, OperatorCounters[] counters, IAsyncEnumerable<BlockHandle> input,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long seen = 0;
        if (limit.Limit > 0)
        {
            await foreach (var block in input.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (seen + block.Meta.Rows <= limit.Limit)
                {
                    seen += block.Meta.Rows;
                    _stats.RecordBlock(counters[0], block.Meta);
                    yield return block;
                    if (seen == limit.Limit) break;
                    continue;
                }
                var rows = (int)(limit.Limit - seen);
                await foreach (var trimmed in ReduceAsync(counters, [[new SliceRef { Block = block.Ref, Offset = 0, Length = rows }]],
                    new ExchangeSpec { Kind = ReduceKind.Concat }, cancellationToken).ConfigureAwait(false))
                    yield return trimmed;
                block.Dispose();
                break;
            }
        }
        Done(counters);
    }
}
