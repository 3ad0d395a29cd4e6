using System.Runtime.CompilerServices;
using Grid.Data.Blocks;
using Grid.Data.Plan;

namespace Grid.Data.Execution;

internal enum MapKind : byte { RandomPartition, RangePartition, SampleKeys, Partial }

internal enum ReduceKind : byte { Concat, ConcatShuffle, ConcatSort, FinalAggregate }

/// <summary>What an exchange task does to its blocks (one spec for both sides; each side reads its own fields).</summary>
internal sealed class ExchangeSpec
{
    public MapKind Map { get; init; }
    public ReduceKind Kind { get; init; }
    public int Partitions { get; init; }
    public int Seed { get; init; }
    public SortKey[] Keys { get; init; } = [];
    public AggregateFn[] Aggregates { get; init; } = [];
    public RecordBatch? Boundaries { get; init; }
}

/// <summary>Rows [Offset, Offset + Length) of a block (Length -1: all of it), as a reduce task's input.</summary>
internal sealed class SliceRef
{
    public ObjectRef<BlockItem> Block { get; init; } = null!;
    public int Offset { get; init; }
    public int Length { get; init; } = -1;
}

/// <summary>
/// All-to-all operators, as Ray runs them: a map task per input block splits it into one part per output block, a
/// reduce task per output block combines its parts. Sort and group-by first sample the keys to choose range
/// boundaries, so their output blocks come out in key order. An exchange holds its whole input (it cannot stream).
/// </summary>
internal sealed partial class Executor
{
    private async IAsyncEnumerable<BlockHandle> ExchangeAsync(ExchangeNode node, OperatorCounters[] counters, IAsyncEnumerable<BlockHandle> input,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blocks = new List<BlockHandle>();
        try
        {
            await foreach (var block in input.WithCancellation(cancellationToken).ConfigureAwait(false)) blocks.Add(block);
            IReadOnlyList<IReadOnlyList<SliceRef>> groups;
            ExchangeSpec reduce;
            var owned = new List<BlockHandle>(); // map outputs, released once the reduces are done
            try
            {
                int seed = node.Seed ?? Random.Shared.Next();
                switch (node.Kind)
                {
                    case ExchangeKind.Repartition when !node.Shuffle:
                        groups = EvenSlices(blocks, node.Partitions!.Value);
                        reduce = new ExchangeSpec { Kind = ReduceKind.Concat };
                        break;
                    case ExchangeKind.Repartition:
                    case ExchangeKind.RandomShuffle:
                    {
                        int n = node.Partitions ?? Math.Max(1, blocks.Count);
                        groups = await PartitionAsync(blocks, new ExchangeSpec { Map = MapKind.RandomPartition, Partitions = n, Seed = seed }, n, owned, cancellationToken).ConfigureAwait(false);
                        reduce = new ExchangeSpec { Kind = ReduceKind.ConcatShuffle, Seed = seed };
                        break;
                    }
                    case ExchangeKind.Sort:
                    {
                        int n = Math.Max(1, blocks.Count);
                        var boundaries = await BoundariesAsync(blocks, node.Keys, n, seed, cancellationToken).ConfigureAwait(false);
                        groups = await PartitionAsync(blocks, new ExchangeSpec { Map = MapKind.RangePartition, Keys = node.Keys, Boundaries = boundaries, Partitions = n }, n, owned, cancellationToken).ConfigureAwait(false);
                        reduce = new ExchangeSpec { Kind = ReduceKind.ConcatSort, Keys = node.Keys };
                        break;
                    }
                    default:
                    {
                        // Group-by: each block reduced to its groups' partial states, then those range-partitioned by key.
                        var partials = new List<BlockHandle>();
                        var groupsOfOne = await PartitionAsync(blocks, new ExchangeSpec { Map = MapKind.Partial, Keys = node.Keys, Aggregates = node.Aggregates, Partitions = 1 }, 1, partials, cancellationToken).ConfigureAwait(false);
                        owned.AddRange(partials);
                        int n = node.Keys.Length == 0 ? 1 : Math.Max(1, blocks.Count);
                        if (n == 1) groups = groupsOfOne;
                        else
                        {
                            var boundaries = await BoundariesAsync(partials, node.Keys, n, seed, cancellationToken).ConfigureAwait(false);
                            groups = await PartitionAsync(partials, new ExchangeSpec { Map = MapKind.RangePartition, Keys = node.Keys, Boundaries = boundaries, Partitions = n }, n, owned, cancellationToken).ConfigureAwait(false);
                        }
                        reduce = new ExchangeSpec { Kind = ReduceKind.FinalAggregate, Keys = node.Keys, Aggregates = node.Aggregates };
                        break;
                    }
                }
                await foreach (var block in ReduceAsync(counters, groups, reduce, cancellationToken).ConfigureAwait(false)) yield return block;
            }
            finally
            {
                foreach (var block in owned) block.Dispose();
            }
        }
        finally
        {
            foreach (var block in blocks) block.Dispose();
            Done(counters);
        }
    }

    /// <summary>Splits the rows, in order, into <paramref name="n"/> runs of equal length (repartition without shuffle).</summary>
    private static List<IReadOnlyList<SliceRef>> EvenSlices(List<BlockHandle> blocks, int n)
    {
        long total = blocks.Sum(b => (long)b.Meta.Rows);
        var groups = new List<IReadOnlyList<SliceRef>>();
        int block = 0, offset = 0;
        for (int i = 0; i < n; i++)
        {
            long want = total * (i + 1) / n - total * i / n;
            var group = new List<SliceRef>();
            while (want > 0)
            {
                int take = (int)Math.Min(want, blocks[block].Meta.Rows - offset);
                group.Add(new SliceRef { Block = blocks[block].Ref, Offset = offset, Length = take });
                want -= take;
                offset += take;
                if (offset == blocks[block].Meta.Rows) (block, offset) = (block + 1, 0);
            }
            if (group.Count > 0) groups.Add(group);
        }
        return groups;
    }

    /// <summary>Runs a map task per block; part j of every block goes to group j. The parts' handles go to <paramref name="owned"/>.</summary>
    private async Task<IReadOnlyList<IReadOnlyList<SliceRef>>> PartitionAsync(List<BlockHandle> blocks, ExchangeSpec spec, int n, List<BlockHandle> owned, CancellationToken cancellationToken)
    {
        var counters = _stats.Stage([$"{spec.Map}"]);
        var map = grid.Function<BlockItem, ExchangeSpec, int, IEnumerable<BlockItem>>(ExchangeTasks.Map, TaskOptions);
        var groups = Enumerable.Range(0, n).Select(_ => new List<SliceRef>()).ToArray();
        var parts = Ordered.RunAsync(blocks.ToAsyncEnumerable(), (block, ct) =>
        {
            counters[0].TaskStarted();
            return ValueTask.FromResult(Consume(map.RemoteStream(block.Ref, spec, block.Index), counters, null, ct));
        }, options.MaxTasksInFlight, () => Done(counters), cancellationToken);
        await foreach (var part in parts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            owned.Add(part);
            groups[part.Index].Add(new SliceRef { Block = part.Ref });
        }
        return groups;
    }

    /// <summary>Samples every block's keys, and picks <paramref name="n"/> - 1 boundaries from the samples here.</summary>
    private async Task<RecordBatch> BoundariesAsync(List<BlockHandle> blocks, SortKey[] keys, int n, int seed, CancellationToken cancellationToken)
    {
        var samples = new List<BlockHandle>();
        try
        {
            await PartitionAsync(blocks, new ExchangeSpec { Map = MapKind.SampleKeys, Keys = keys, Seed = seed, Partitions = 1 }, 1, samples, cancellationToken).ConfigureAwait(false);
            var batches = new List<RecordBatch>();
            foreach (var sample in samples) batches.Add((await sample.Ref.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Block!);
            return BlockOps.Boundaries(batches, keys, n);
        }
        finally
        {
            foreach (var sample in samples) sample.Dispose();
        }
    }

    /// <summary>A reduce task per group of slices, in group order.</summary>
    private IAsyncEnumerable<BlockHandle> ReduceAsync(OperatorCounters[] counters, IReadOnlyList<IReadOnlyList<SliceRef>> groups, ExchangeSpec spec, CancellationToken cancellationToken)
    {
        var reduce = grid.Function<List<SliceRef>, ExchangeSpec, int, IAsyncEnumerable<BlockItem>>(ExchangeTasks.Reduce, TaskOptions);
        var numbered = groups.Select((g, i) => (Slices: g, Index: i)).Where(g => g.Slices.Count > 0).ToAsyncEnumerable();
        return Ordered.RunAsync(numbered, (group, ct) =>
        {
            counters[0].TaskStarted();
            return ValueTask.FromResult(Consume(reduce.RemoteStream(group.Slices.ToList(), spec, group.Index), counters, null, ct));
        }, options.MaxTasksInFlight, () => { }, cancellationToken);
    }
}
