using Apache.Arrow.Types;
using Grid.Data.Rows;

namespace Grid.Data.Tests.Rows;

public sealed class ItemCodecTests
{
    [Fact]
    public void ScalarItemsAreOneColumnNamedItem()
    {
        var codec = RowCodecs.For<long>();

        var batch = codec.Write([1L, 2L]);

        Assert.Equal("item", Assert.Single(batch.Schema.FieldsList).Name);
        Assert.Equal(ArrowTypeId.Int64, batch.Schema.FieldsList[0].DataType.TypeId);
        Assert.False(batch.Schema.FieldsList[0].IsNullable);
        Assert.Equal([1L, 2L], codec.Read(batch));
        Assert.Equal("item", RowCodecs.SchemaOf(typeof(long))!.FieldsList[0].Name);
    }

    [Fact]
    public void AOneColumnBatchReadsWhateverItsName()
    {
        var batch = Columns.Batch(("n", new[] { 3, 4 }));

        Assert.Equal([3L, 4L], RowCodecs.For<long>().Read(batch));
        Assert.Equal([3.0, 4.0], RowCodecs.For<double>().Read(batch));
    }

    [Fact]
    public void SeveralColumnsReadItem()
    {
        var batch = Columns.Batch(("other", new[] { 1 }), ("item", new[] { "x" }));

        Assert.Equal(["x"], RowCodecs.For<string>().Read(batch));
        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<string>().Read(Columns.Batch(("a", new[] { 1 }), ("b", new[] { 2 }))));
        Assert.Equal("item", error.Column);
        Assert.Contains("its columns are a, b", error.Message);
    }

    [Fact]
    public void NullableAndListItemsRoundTrip()
    {
        Assert.Equal([1, null], RowCodecs.For<int?>().Read(RowCodecs.For<int?>().Write([1, null])));
        Assert.Equal(["a", null], RowCodecs.For<string?>().Read(RowCodecs.For<string?>().Write(["a", null])));
        var lists = RowCodecs.For<long[]>().Read(RowCodecs.For<long[]>().Write([[1, 2], []]));
        Assert.Equal([[1L, 2L], []], lists);
    }

    [Fact]
    public void NullIntoANonNullableItemNamesTheRow()
    {
        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<long>().Read(Columns.Batch(("n", new long?[] { 1, null }))));

        Assert.Equal("n", error.Column);
        Assert.Contains("row 1 is null", error.Message);
    }
}
