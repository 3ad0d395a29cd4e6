using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Rows;

namespace Grid.Data.Tests.Rows;

public sealed class RowTests
{
    private static Row Of(params (string Column, object? Value)[] values) =>
        new(values.Select(v => v.Column).ToArray(), values.Select(v => v.Value).ToArray());

    [Fact]
    public void IsADictionaryInColumnOrder()
    {
        var row = Of(("id", 1L), ("text", "a"), ("none", null));

        Assert.Equal(["id", "text", "none"], row.Keys);
        Assert.Equal([1L, "a", null], row.Values);
        Assert.Equal(3, row.Count);
        Assert.Equal("a", row["text"]);
        Assert.True(row.ContainsKey("none"));
        Assert.False(row.TryGetValue("other", out _));
        Assert.Equal(new KeyValuePair<string, object?>("id", 1L), row.First());
    }

    [Fact]
    public void MissingColumnListsTheRowsColumns()
    {
        var row = Of(("id", 1L), ("text", "a"));

        var error = Assert.Throws<SchemaMismatchException>(() => row["txt"]);

        Assert.Equal("txt", error.Column);
        Assert.Contains("its columns are id, text", error.Message);
    }

    [Fact]
    public void GetConvertsNumbersDatesAndLists()
    {
        var row = Of(("i", 5), ("d", 2.5f), ("none", null), ("at", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("xs", new List<object?> { 1L, 2L }));

        Assert.Equal(5L, row.Get<long>("i"));
        Assert.Equal(5.0, row.Get<double>("i"));
        Assert.Equal(2.5, row.Get<double>("d"));
        Assert.Null(row.Get<long?>("none"));
        Assert.Null(row.Get<string>("none"));
        Assert.Equal(5L, row.Get<long?>("i"));
        Assert.Equal(new DateOnly(2024, 1, 1), row.Get<DateOnly>("at"));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), row.Get<DateTimeOffset>("at"));
        Assert.Equal([1L, 2L], row.Get<long[]>("xs"));
        Assert.Equal([1, 2], row.Get<List<int>>("xs"));
        Assert.Equal(new object?[] { 1L, 2L }, row.Get<IReadOnlyList<object?>>("xs"));
    }

    [Fact]
    public void GetRefusesNullIntoValueTypesAndOtherKinds()
    {
        var row = Of(("none", null), ("text", "abc"), ("big", long.MaxValue));

        Assert.Contains("is null", Assert.Throws<SchemaMismatchException>(() => row.Get<long>("none")).Message);
        var wrong = Assert.Throws<SchemaMismatchException>(() => row.Get<long>("text"));
        Assert.Equal("text", wrong.Column);
        Assert.Contains("string \"abc\"", wrong.Message);
        Assert.Contains("does not fit in int", Assert.Throws<SchemaMismatchException>(() => row.Get<int>("big")).Message);
    }

    [Fact]
    public void WithSetsOrAppends()
    {
        var row = Of(("id", 1L));

        var changed = row.With("id", 2L);
        var added = row.With("text", "b");

        Assert.Equal(1L, row["id"]);
        Assert.Equal(2L, changed["id"]);
        Assert.Equal(["id", "text"], added.Keys);
        Assert.Equal("b", added["text"]);
    }

    [Fact]
    public void EqualityIsByContent()
    {
        var a = Of(("id", 1L), ("xs", new long[] { 1, 2 }), ("b", new byte[] { 3 }), ("s", Of(("x", 1))));
        var b = Of(("s", Of(("x", 1))), ("b", new byte[] { 3 }), ("xs", new List<object?> { 1L, 2L }), ("id", 1L));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a.With("id", 2L));
        Assert.NotEqual(a, a.With("extra", null));
        Assert.NotEqual(Of(("xs", new long[] { 1, 2 })), Of(("xs", new long[] { 1, 3 })));
    }

    [Fact]
    public void ToStringShowsColumnsAndValues()
    {
        var row = Of(("id", 1L), ("text", "a"), ("none", null), ("xs", new[] { 1.5, 2 }), ("s", Of(("x", true))));

        Assert.Equal("{id: 1, text: \"a\", none: null, xs: [1.5, 2], s: {x: true}}", row.ToString());
    }

    [Fact]
    public void ReadGivesTheClrValueOfEachColumnType()
    {
        var structs = new StructArray(new StructType([new Field("x", Int32Type.Default, true)]), 2,
            [new Int32Array.Builder().Append(7).Append(8).Build()], ArrowBuffer.Empty, 0);
        var batch = Columns.Batch(("l", new long?[] { 1, null }), ("i", new[] { 2, 3 }), ("b", new byte[] { 4, 5 }),
            ("f", new[] { 1.5f, 2 }), ("t", new[] { "a", null }), ("at", new[] { DateTime.UnixEpoch, DateTime.UnixEpoch }),
            ("day", new[] { new DateOnly(2000, 1, 1), default }), ("m", new[] { 1.25m, 2 }), ("xs", new[] { new long[] { 1 }, [] }),
            ("flag", new bool?[] { true, null }), ("bytes", new[] { new byte[] { 1 }, null }));
        batch = new RecordBatch(new Schema(batch.Schema.FieldsList.Append(new Field("s", structs.Data.DataType, true)), null),
            batch.Arrays.Append(structs), 2);

        var rows = RowCodecs.For<Row>().Read(batch);

        Assert.Equal(2, rows.Count);
        var row = rows[0];
        Assert.Equal(1L, row["l"]);
        Assert.Null(rows[1]["l"]);
        Assert.Equal(2, row["i"]);
        Assert.Equal((byte)4, row["b"]);
        Assert.Equal(1.5f, row["f"]);
        Assert.Equal("a", row["t"]);
        Assert.Null(rows[1]["t"]);
        Assert.Equal(DateTime.UnixEpoch, row["at"]);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)row["at"]!).Kind);
        Assert.Equal(new DateOnly(2000, 1, 1), row["day"]);
        Assert.Equal(1.25m, row["m"]);
        Assert.Equal(new object?[] { 1L }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(row["xs"]));
        Assert.Empty(Assert.IsAssignableFrom<IReadOnlyList<object?>>(rows[1]["xs"]));
        Assert.Equal(true, row["flag"]);
        Assert.Null(rows[1]["flag"]);
        Assert.Equal(new byte[] { 1 }, row["bytes"]);
        Assert.Equal(Of(("x", 8)), rows[1]["s"]);
    }

    [Fact]
    public void RowsOfABatchRoundTrip()
    {
        var rows = new[]
        {
            Of(("id", 1L), ("text", "a"), ("xs", new List<object?> { 1.5, null }), ("s", Of(("x", 1L), ("y", "p")))),
            Of(("id", 2L), ("text", null), ("xs", null), ("s", null)),
        };
        var codec = RowCodecs.For<Row>();

        var batch = codec.Write(rows);

        Assert.Equal(rows, codec.Read(batch));
        Assert.Equal(ArrowTypeId.Int64, batch.Schema.GetFieldByName("id").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Double, ((ListType)batch.Schema.GetFieldByName("xs").DataType).ValueDataType.TypeId);
        Assert.Equal(ArrowTypeId.Struct, batch.Schema.GetFieldByName("s").DataType.TypeId);
        Assert.All(batch.Schema.FieldsList, f => Assert.True(f.IsNullable));
    }

    [Fact]
    public void SlicedBatchesOfStructsAndListsReadTheirOwnRows()
    {
        var rows = Enumerable.Range(0, 6)
            .Select(i => Of(("s", Of(("x", (long)i), ("y", $"y{i}"))), ("xs", new List<object?> { (long)i, null }))).ToArray();
        var codec = RowCodecs.For<Row>();

        Assert.Equal(rows[2..5], codec.Read(codec.Write(rows).Slice(2, 3)));
    }

    [Fact]
    public void WriteTakesTheUnionOfColumnsInOrderOfFirstAppearance()
    {
        var batch = RowCodecs.For<Row>().Write([Of(("a", 1L), ("b", "x")), Of(("c", 2.0), ("a", 3L)), Of(("b", "y"))]);

        Assert.Equal(["a", "b", "c"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(new long?[] { 1, 3, null }, batch.Get<long?>("a"));
        Assert.Equal(new[] { "x", null, "y" }, batch.Get<string>("b"));
        Assert.Equal(new double?[] { null, 2, null }, batch.Get<double?>("c"));
    }

    [Fact]
    public void WriteUsesLikeForTheColumnsItHas()
    {
        var like = new Schema.Builder()
            .Field(f => f.Name("n").DataType(Int32Type.Default).Nullable(false))
            .Field(f => f.Name("at").DataType(new TimestampType(TimeUnit.Millisecond, "UTC")))
            .Field(f => f.Name("big").DataType(LargeStringType.Default))
            .Field(f => f.Name("unused").DataType(StringType.Default)).Build();
        var at = new DateTime(2024, 1, 1, 0, 0, 0, 5, DateTimeKind.Utc);

        var batch = RowCodecs.For<Row>().Write([Of(("n", 1L), ("at", at), ("big", "s"), ("new", 2))], like);

        Assert.Equal(["n", "at", "big", "new"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(ArrowTypeId.Int32, batch.Schema.GetFieldByName("n").DataType.TypeId);
        Assert.False(batch.Schema.GetFieldByName("n").IsNullable);
        Assert.Equal(TimeUnit.Millisecond, ((TimestampType)batch.Schema.GetFieldByName("at").DataType).Unit);
        Assert.Equal(ArrowTypeId.String, batch.Schema.GetFieldByName("big").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Int32, batch.Schema.GetFieldByName("new").DataType.TypeId);
        Assert.Equal(Of(("n", 1), ("at", at), ("big", "s"), ("new", 2)), Assert.Single(RowCodecs.For<Row>().Read(batch)));
    }

    [Fact]
    public void LikeFieldBecomesNullableWhenARowHasNull()
    {
        var like = new Schema.Builder().Field(f => f.Name("n").DataType(Int64Type.Default).Nullable(false)).Build();

        var batch = RowCodecs.For<Row>().Write([Of(("n", 1L)), Of(("n", null))], like);

        Assert.True(batch.Schema.GetFieldByName("n").IsNullable);
        Assert.Equal(new long?[] { 1, null }, batch.Get<long?>("n"));
    }

    [Fact]
    public void AllNullColumnIsOfTheNullType()
    {
        var batch = RowCodecs.For<Row>().Write([Of(("id", 1L), ("none", null)), Of(("id", 2L), ("none", null))]);

        Assert.Equal(ArrowTypeId.Null, batch.Schema.GetFieldByName("none").DataType.TypeId);
        Assert.All(RowCodecs.For<Row>().Read(batch), row => Assert.Null(row["none"]));
        Assert.Null(RowCodecs.SchemaOf(typeof(Row)));
    }

    [Fact]
    public void ListElementTypeComesFromALaterRowWhenTheFirstIsEmpty()
    {
        var batch = RowCodecs.For<Row>().Write([Of(("xs", new List<object?>())), Of(("xs", new List<object?> { "a" }))]);

        Assert.Equal(ArrowTypeId.String, ((ListType)batch.Schema.GetFieldByName("xs").DataType).ValueDataType.TypeId);
    }

    [Fact]
    public void AValueOfAnotherKindThanTheColumnNamesTheColumn()
    {
        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Row>().Write([Of(("n", 1L)), Of(("n", "two"))]));

        Assert.Equal("n", error.Column);
        Assert.Contains("string \"two\"", error.Message);
    }
}
