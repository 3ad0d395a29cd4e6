using Apache.Arrow.Types;

namespace Grid.Data.Tests.Rows;

public sealed class ColumnsTests
{
    [Fact]
    public void BatchAndGetRoundTripEachElementType()
    {
        var at = new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var batch = Columns.Batch(("l", new[] { 1L, 2 }), ("d", new[] { 0.5, 1 }), ("flag", new[] { true, false }),
            ("s", new[] { "a", "b" }), ("at", new[] { at, at }), ("bytes", new[] { new byte[] { 1 }, [2, 3] }),
            ("xs", new[] { new List<int> { 1 }, new List<int>() }));

        Assert.Equal(2, batch.Length);
        Assert.Equal([1L, 2], batch.Get<long>("l"));
        Assert.Equal([0.5, 1], batch.Get<double>("d"));
        Assert.Equal([true, false], batch.Get<bool>("flag"));
        Assert.Equal(["a", "b"], batch.Get<string>("s"));
        Assert.Equal([at, at], batch.Get<DateTime>("at"));
        Assert.Equal([new byte[] { 1 }, [2, 3]], batch.Get<byte[]>("bytes"));
        Assert.Equal([[1], []], batch.Get<int[]>("xs"));
        Assert.False(batch.Schema.GetFieldByName("l").IsNullable);
        Assert.Equal(ArrowTypeId.Timestamp, batch.Schema.GetFieldByName("at").DataType.TypeId);
    }

    [Fact]
    public void NullableElementsMakeNullableColumnsWithNulls()
    {
        var batch = Columns.Batch(("n", new long?[] { 1, null, 3 }), ("s", new[] { "a", null, "c" }));

        Assert.True(batch.Schema.GetFieldByName("n").IsNullable);
        Assert.Equal(1, batch.Column("n").NullCount);
        Assert.Equal([1L, null, 3L], batch.Get<long?>("n"));
        Assert.Equal(new[] { "a", null, "c" }, batch.Get<string?>("s"));
        var error = Assert.Throws<SchemaMismatchException>(() => batch.Get<long>("n"));
        Assert.Equal("n", error.Column);
        Assert.Contains("row 1 is null", error.Message);
    }

    [Fact]
    public void GetNamesAMissingColumnAndAWrongType()
    {
        var batch = Columns.Batch(("n", new[] { 1L }));

        Assert.Contains("its columns are n", Assert.Throws<SchemaMismatchException>(() => batch.Get<long>("m")).Message);
        Assert.Contains("string values were asked for but the column is int64",
            Assert.Throws<SchemaMismatchException>(() => batch.Get<string>("n")).Message);
    }

    [Fact]
    public void BatchRefusesUnequalLengthsAndUnsupportedTypes()
    {
        Assert.Throws<ArgumentException>(() => Columns.Batch(("a", new[] { 1 }), ("b", new[] { 1, 2 })));
        Assert.Throws<ArgumentException>(() => Columns.Batch(("a", new object[] { 1 })));
    }

    [Fact]
    public void ManyNullsAfterManyValuesKeepTheirPlaces()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i % 7 == 0 ? (int?)null : i).ToArray();

        Assert.Equal(values, Columns.Batch(("v", values)).Get<int?>("v"));
    }
}
