using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Blocks;

namespace Grid.Data.Tests.Blocks;

/// <summary>Take, Concat, Slice, Empty and SizeBytes over every column type the kernels support.</summary>
public sealed class GatherTests
{
    private static int[] RandomIndices(int count, int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(rows)).ToArray();
    }

    private static void AssertRowsAre(RecordBatch source, IReadOnlyList<int> indices, RecordBatch result)
    {
        Assert.Equal(indices.Count, result.Length);
        Assert.Equal(source.Schema.FieldsList.Select(f => f.Name), result.Schema.FieldsList.Select(f => f.Name));
        for (int c = 0; c < source.ColumnCount; c++)
        {
            var expected = indices.Select(i => TestBlocks.Render(source.Column(c), i)).ToList();
            var actual = Enumerable.Range(0, result.Length).Select(j => TestBlocks.Render(result.Column(c), j)).ToList();
            Assert.True(expected.SequenceEqual(actual), $"column {source.Schema.FieldsList[c].Name}");
            Assert.Equal(expected.Count(e => e == "null"), result.Column(c).NullCount);
        }
    }

    [Fact]
    public void Take_GathersEveryType_KeepingNulls()
    {
        var block = TestBlocks.AllTypes(300, seed: 1);
        var indices = RandomIndices(500, block.Length, seed: 2);
        AssertRowsAre(block, indices, BlockOps.Take(block, indices));
    }

    [Fact]
    public void Take_FromASlice_ReadsTheSlicedRows()
    {
        var block = TestBlocks.AllTypes(300, seed: 3);
        var slice = BlockOps.Slice(block, 37, 150);
        var indices = RandomIndices(200, slice.Length, seed: 4);
        AssertRowsAre(slice, indices, BlockOps.Take(slice, indices));
        AssertRowsAre(block, indices.Select(i => i + 37).ToList(), BlockOps.Take(slice, indices));
    }

    [Fact]
    public void Take_OfNoIndices_IsEmptyOfTheSameSchema()
    {
        var block = TestBlocks.AllTypes(50, seed: 5);
        var empty = BlockOps.Take(block, []);
        Assert.Equal(0, empty.Length);
        Assert.Equal(block.ColumnCount, empty.ColumnCount);
    }

    [Fact]
    public void Empty_HasTheSchemaAndConcatenatesWithRows()
    {
        var block = TestBlocks.AllTypes(40, seed: 6);
        var empty = BlockOps.Empty(block.Schema);
        Assert.Equal(0, empty.Length);
        Assert.All(Enumerable.Range(0, empty.ColumnCount), c => Assert.Equal(0, empty.Column(c).Length));
        var concatenated = BlockOps.Concat([empty, block, empty]);
        Assert.Equal(TestBlocks.RenderRows(block), TestBlocks.RenderRows(concatenated));
        Assert.Equal(0, BlockOps.Concat([empty, empty]).Length);
    }

    [Fact]
    public void Concat_KeepsEveryRowInOrder_IncludingSlices()
    {
        var block = TestBlocks.AllTypes(200, seed: 7);
        var parts = new[] { BlockOps.Slice(block, 0, 60), BlockOps.Slice(block, 60, 0), BlockOps.Slice(block, 60, 90), BlockOps.Slice(block, 150, 50) };
        var concatenated = BlockOps.Concat(parts);
        Assert.Equal(TestBlocks.RenderRows(block), TestBlocks.RenderRows(concatenated));
    }

    [Fact]
    public void Concat_OfDifferentSchemas_NamesTheFirstDifferingColumn()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(10, seed: 8));
        var otherType = Retype(block, "S", new Int64Array.Builder().AppendRange(Enumerable.Range(0, 10).Select(i => (long)i)).Build());
        var typeError = Assert.Throws<SchemaMismatchException>(() => BlockOps.Concat([block, otherType]));
        Assert.Equal("S", typeError.Column);

        var fewer = new RecordBatch(new Schema(block.Schema.FieldsList.Take(3), null), Enumerable.Range(0, 3).Select(block.Column), 10);
        Assert.Equal("D", Assert.Throws<SchemaMismatchException>(() => BlockOps.Concat([block, fewer])).Column);

        var renamed = new RecordBatch(new Schema(block.Schema.FieldsList.Select(f => f.Name == "A" ? new Field("B", f.DataType, true) : f), null),
            Enumerable.Range(0, block.ColumnCount).Select(block.Column), 10);
        Assert.Equal("A", Assert.Throws<SchemaMismatchException>(() => BlockOps.Concat([block, renamed])).Column);
    }

    [Fact]
    public void Concat_IgnoresNullability()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(10, seed: 9));
        var nonNullable = new RecordBatch(new Schema(block.Schema.FieldsList.Select(f => new Field(f.Name, f.DataType, nullable: false)), null),
            Enumerable.Range(0, block.ColumnCount).Select(block.Column), 10);
        Assert.Equal(20, BlockOps.Concat([block, nonNullable]).Length);
    }

    [Fact]
    public void Slice_IsZeroCopy_AndChecksItsRange()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(100, seed: 10));
        var slice = BlockOps.Slice(block, 20, 30);
        Assert.Equal(TestBlocks.Read(block).Skip(20).Take(30), TestBlocks.Read(slice));
        Assert.True(block.Column("Id").Data.Buffers[1].Memory.Equals(slice.Column("Id").Data.Buffers[1].Memory));
        Assert.Equal(20, slice.Column("Id").Data.Offset);
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockOps.Slice(block, 90, 20));
    }

    [Fact]
    public void SizeBytes_CountsTheRowsBytes_AndASliceOnlyItsOwn()
    {
        var ids = new Int64Array.Builder().AppendRange(Enumerable.Range(0, 100).Select(i => (long)i)).Build();
        var words = new StringArray.Builder().AppendRange(Enumerable.Range(0, 100).Select(i => i < 50 ? "a" : "bbb")).Build();
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("w", StringType.Default, false)], null);
        var block = new RecordBatch(schema, [ids, words], 100);
        // int64: 8 per row; string: 4 per offset (rows + 1) and the bytes (50 * 1 + 50 * 3); no validity bitmaps.
        Assert.Equal(800 + 404 + 200, BlockOps.SizeBytes(block));
        Assert.Equal(80 + 44 + 10, BlockOps.SizeBytes(BlockOps.Slice(block, 40, 10)));
        Assert.Equal(80 + 44 + 30, BlockOps.SizeBytes(BlockOps.Slice(block, 50, 10)));
    }

    [Fact]
    public void SizeBytes_OfEveryType_IsPositiveAndSlicesAddUp()
    {
        var block = TestBlocks.AllTypes(400, seed: 11);
        long whole = BlockOps.SizeBytes(block);
        long halves = BlockOps.SizeBytes(BlockOps.Slice(block, 0, 200)) + BlockOps.SizeBytes(BlockOps.Slice(block, 200, 200));
        Assert.True(whole > 400 * 8);
        // The halves differ from the whole only by the bitmaps' rounding and the extra offset of each half.
        Assert.InRange(halves, whole, whole + 64);
        Assert.Equal(BlockOps.SizeBytes(block), BlockOps.SizeBytes(BlockOps.Take(block, Enumerable.Range(0, 400).ToArray())));
    }

    private static RecordBatch Retype(RecordBatch block, string column, IArrowArray replacement)
    {
        var fields = block.Schema.FieldsList.Select(f => f.Name == column ? new Field(column, replacement.Data.DataType, true) : f);
        var arrays = Enumerable.Range(0, block.ColumnCount).Select(c => block.Schema.FieldsList[c].Name == column ? replacement : block.Column(c));
        return new RecordBatch(new Schema(fields, null), arrays, block.Length);
    }
}
