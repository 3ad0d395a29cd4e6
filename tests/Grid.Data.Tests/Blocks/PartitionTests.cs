using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Blocks;

namespace Grid.Data.Tests.Blocks;

/// <summary>HashPartition, RandomPartition and Shuffle.</summary>
public sealed class PartitionTests
{
    [Fact]
    public void HashPartition_SendsEqualKeysToOnePart_AcrossBlocks_AndKeepsEveryRow()
    {
        var rows = TestBlocks.Rows(3000, seed: 30);
        var blocks = TestBlocks.Blocks(rows, seed: 31);
        var partOfKey = new Dictionary<(int?, string?), int>();
        var seen = new List<long>();
        foreach (var block in blocks)
        {
            var parts = BlockOps.HashPartition(block, ["A", "S"], 6);
            Assert.Equal(6, parts.Length);
            for (int p = 0; p < parts.Length; p++)
            {
                var partRows = TestBlocks.Read(parts[p]);
                Assert.Equal(partRows.OrderBy(r => r.Id), partRows);
                foreach (var row in partRows)
                    Assert.Equal(p, partOfKey.TryAdd((row.A, row.S), p) ? p : partOfKey[(row.A, row.S)]);
                seen.AddRange(partRows.Select(r => r.Id));
            }
        }
        Assert.Equal(rows.Select(r => r.Id).Order(), seen.Order());
        // Keys spread over the parts.
        Assert.Equal(6, partOfKey.Values.Distinct().Count());
    }

    [Fact]
    public void HashPartition_IsTheSameOnEveryProcess()
    {
        // XxHash64 of the values' bytes: these parts are fixed, whatever the process, machine or run.
        var rows = Enumerable.Range(0, 12).Select(i => new Rec(i, i % 5, i % 3 == 0 ? null : "k" + i, null, null)).ToList();
        var parts = BlockOps.HashPartition(TestBlocks.Batch(rows), ["A", "S"], 4);
        var partOf = parts.SelectMany((p, index) => TestBlocks.Ids(p).Select(id => (id, index))).OrderBy(x => x.id).Select(x => x.index);
        Assert.Equal(string.Join(",", ExpectedParts), string.Join(",", partOf));
    }

    private static readonly int[] ExpectedParts = [1, 1, 2, 0, 3, 2, 0, 1, 2, 0, 0, 3];

    [Fact]
    public void HashPartition_TreatsZerosAndNaNsAsOneValue()
    {
        var values = new DoubleArray.Builder().Append(0.0).Append(-0.0).Append(double.NaN).Append(BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001))).Build();
        var block = new RecordBatch(new Schema([new Field("x", DoubleType.Default, false)], null), [values], 4);
        var parts = BlockOps.HashPartition(block, ["x"], 64);
        Assert.Equal(2, parts.Count(p => p.Length == 2));
    }

    [Fact]
    public void HashPartition_ByAMissingColumn_NamesIt()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(10, seed: 32));
        Assert.Equal("K", Assert.Throws<SchemaMismatchException>(() => BlockOps.HashPartition(block, ["A", "K"], 2)).Column);
    }

    [Fact]
    public void RandomPartition_IsAPartitionOfTheRows_SameForTheSameSeed()
    {
        var rows = TestBlocks.Rows(1000, seed: 33);
        var block = TestBlocks.Batch(rows);
        var parts = BlockOps.RandomPartition(block, 5, new Random(7));
        Assert.Equal(5, parts.Length);
        Assert.All(parts, p => Assert.InRange(p.Length, 100, 300));
        Assert.Equal(rows.Select(r => r.Id), parts.SelectMany(TestBlocks.Ids).Order());
        Assert.All(parts, p => Assert.Equal(TestBlocks.Ids(p).Order(), TestBlocks.Ids(p)));
        var again = BlockOps.RandomPartition(block, 5, new Random(7));
        Assert.Equal(parts.Select(TestBlocks.Ids), again.Select(TestBlocks.Ids));
        Assert.NotEqual(parts.Select(TestBlocks.Ids), BlockOps.RandomPartition(block, 5, new Random(8)).Select(TestBlocks.Ids));
    }

    [Fact]
    public void Shuffle_IsAPermutation_SameForTheSameSeed()
    {
        var rows = TestBlocks.Rows(1000, seed: 34);
        var block = TestBlocks.Batch(rows);
        var shuffled = BlockOps.Shuffle(block, new Random(9));
        Assert.Equal(rows, TestBlocks.Read(shuffled).OrderBy(r => r.Id));
        Assert.NotEqual(rows.Select(r => r.Id), TestBlocks.Ids(shuffled));
        Assert.Equal(TestBlocks.Ids(shuffled), TestBlocks.Ids(BlockOps.Shuffle(block, new Random(9))));
        Assert.NotEqual(TestBlocks.Ids(shuffled), TestBlocks.Ids(BlockOps.Shuffle(block, new Random(10))));
        Assert.Equal(0, BlockOps.Shuffle(TestBlocks.Batch([]), new Random(1)).Length);
    }
}
