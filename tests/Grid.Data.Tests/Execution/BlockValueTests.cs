using System.Buffers;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Grid.Testing;

namespace Grid.Data.Tests.Execution;

/// <summary>A block (an Arrow record batch) as a Grid value: kept whole, and read in place on the node that holds it.</summary>
public sealed class BlockValueTests
{
    private static RecordBatch Block(int rows) =>
        Columns.Batch(("id", Enumerable.Range(0, rows).Select(i => (long)i).ToArray()), ("text", Enumerable.Range(0, rows).Select(i => $"row {i}").ToArray()));

    /// <summary>Whether a column's values lie in memory Grid pinned (the store's mapping), not in a managed array.</summary>
    private static bool IsView(RecordBatch batch) =>
        MemoryMarshal.TryGetMemoryManager(((Int64Array)batch.Column("id")).ValueBuffer.Memory, out MemoryManager<byte>? manager)
        && manager.GetType().Name.StartsWith("PinnedMemoryManager", StringComparison.Ordinal);

    public static bool ReadsAView(RecordBatch batch) => IsView(batch) && batch.Length == 50_000;

    public static long SumIds(RecordBatch batch) => batch.Get<long>("id").Sum();

    [Fact]
    public async Task A_large_block_is_read_in_place_by_a_task_on_its_node_and_a_small_one_inline()
    {
        await using var grid = await GridClient.StartLocalAsync(node => node.NumCpus = 2);
        var large = await grid.PutAsync(Block(50_000)); // ~1 MB: the object store
        Assert.True(await grid.Function<RecordBatch, bool>(ReadsAView).Remote(large));
        var small = Block(10);
        var back = await await grid.PutAsync(small);
        Assert.Equal(small.Get<string>("text"), back.Get<string>("text"));
        Assert.Equal(small.Schema.FieldsList.Select(f => (f.Name, f.DataType.TypeId)), back.Schema.FieldsList.Select(f => (f.Name, f.DataType.TypeId)));
    }

    [Fact]
    public async Task Blocks_travel_between_silos_whole()
    {
        await using var cluster = await new GridTestClusterBuilder().Silos(3).ConfigureNodes(o => o.NumCpus = 2).StartAsync();
        var block = Block(50_000);
        var sum = grid(cluster).Function<RecordBatch, long>(SumIds).Options(new TaskOptions { Scheduling = SchedulingStrategy.Spread });
        var refs = Enumerable.Range(0, 6).Select(_ => sum.Remote(block)).ToArray();
        Assert.All(await grid(cluster).GetAsync(refs), s => Assert.Equal(50_000L * 49_999 / 2, s));

        static GridClient grid(GridTestCluster c) => c.Grid;
    }
}
