using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Rows;

namespace Grid.Data.Tests.Rows;

public sealed class RecordCodecTests
{
    public sealed record AllTypes(
        long L, int I, short S, sbyte Sb, ulong Ul, uint Ui, ushort Us, byte B,
        double D, float F, bool Flag, string Text, string? MaybeText, byte[] Bytes,
        DateTime At, DateTimeOffset AtOffset, DateOnly Day, decimal Money,
        long? MaybeLong, double? MaybeDouble, bool? MaybeFlag, DateTime? MaybeAt,
        long[] Longs, List<string> Names, IReadOnlyList<int?> MaybeInts, List<double>? MaybeDoubles);

    private static AllTypes Sample(int i) => new(
        i * 10_000_000_000L, -i, (short)i, (sbyte)-i, (ulong)i, (uint)i, (ushort)i, (byte)i,
        i + 0.5, i + 0.25f, i % 2 == 0, $"text {i}", i % 2 == 0 ? null : $"maybe {i}", [(byte)i, 0xFF],
        new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(i * 10), new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero),
        new DateOnly(2024, 2, 29).AddDays(i), 12.5m + i,
        i % 2 == 0 ? null : i, i % 3 == 0 ? null : i / 4.0, i % 2 == 0 ? null : true, i % 2 == 0 ? null : DateTime.UnixEpoch.AddDays(i),
        [i, i + 1], ["a", $"b{i}"], [i, null], i % 2 == 0 ? null : [i * 1.5]);

    private static void AssertSame(AllTypes expected, AllTypes actual)
    {
        // Records compare arrays and lists by reference: compare those element-wise, the rest as a record.
        Assert.Equal(expected with { Bytes = null!, Longs = null!, Names = null!, MaybeInts = null!, MaybeDoubles = null },
            actual with { Bytes = null!, Longs = null!, Names = null!, MaybeInts = null!, MaybeDoubles = null });
        Assert.Equal(expected.Bytes, actual.Bytes);
        Assert.Equal(expected.Longs, actual.Longs);
        Assert.Equal(expected.Names, actual.Names);
        Assert.Equal(expected.MaybeInts, actual.MaybeInts);
        Assert.Equal(expected.MaybeDoubles, actual.MaybeDoubles);
    }

    [Fact]
    public void EveryTypeRoundTripsWithNulls()
    {
        var codec = RowCodecs.For<AllTypes>();
        var rows = Enumerable.Range(0, 7).Select(Sample).ToList();

        var batch = codec.Write(rows);
        var read = codec.Read(batch);

        Assert.Equal(7, batch.Length);
        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++) AssertSame(rows[i], read[i]);
        Assert.Equal(DateTimeKind.Utc, read[0].At.Kind);
    }

    [Fact]
    public void SchemaMapsEachClrTypeToItsArrowType()
    {
        var schema = RowCodecs.For<AllTypes>().Schema!;

        Assert.Same(schema, RowCodecs.SchemaOf(typeof(AllTypes)));
        Assert.Equal(ArrowTypeId.Int64, schema.GetFieldByName("L").DataType.TypeId);
        Assert.Equal(ArrowTypeId.UInt8, schema.GetFieldByName("B").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Float, schema.GetFieldByName("F").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Binary, schema.GetFieldByName("Bytes").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Date32, schema.GetFieldByName("Day").DataType.TypeId);
        var at = Assert.IsType<TimestampType>(schema.GetFieldByName("At").DataType);
        Assert.Equal((TimeUnit.Microsecond, "UTC"), (at.Unit, at.Timezone));
        var money = Assert.IsType<Decimal128Type>(schema.GetFieldByName("Money").DataType);
        Assert.Equal((38, 18), (money.Precision, money.Scale));
        var names = Assert.IsType<ListType>(schema.GetFieldByName("Names").DataType);
        Assert.Equal(ArrowTypeId.String, names.ValueDataType.TypeId);
        Assert.False(names.ValueField.IsNullable);
        Assert.True(Assert.IsType<ListType>(schema.GetFieldByName("MaybeInts").DataType).ValueField.IsNullable);
        // Nullability: value types not, Nullable<T> yes, reference types by their annotation.
        Assert.False(schema.GetFieldByName("L").IsNullable);
        Assert.True(schema.GetFieldByName("MaybeLong").IsNullable);
        Assert.False(schema.GetFieldByName("Text").IsNullable);
        Assert.True(schema.GetFieldByName("MaybeText").IsNullable);
        Assert.True(schema.GetFieldByName("MaybeDoubles").IsNullable);
    }

    public sealed record Renamed([Column("user_id")] long UserId, string Name)
    {
        [Column("display")]
        public string? Display { get; init; }
    }

    [Fact]
    public void ColumnAttributeRenamesOnParameterAndProperty()
    {
        var codec = RowCodecs.For<Renamed>();
        var batch = codec.Write([new Renamed(7, "ann") { Display = "Ann" }]);

        Assert.Equal(["user_id", "Name", "display"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(new Renamed(7, "ann") { Display = "Ann" }, Assert.Single(codec.Read(batch)));
    }

    public sealed class Settable
    {
        public long Id { get; set; }
        public string? Text { get; init; }
        public int Computed => (int)Id * 2;
    }

    [Fact]
    public void ParameterlessConstructorAndInitPropertiesRoundTrip()
    {
        var codec = RowCodecs.For<Settable>();
        var batch = codec.Write([new Settable { Id = 3, Text = "x" }, new Settable { Id = 4 }]);

        // The computed property is written, not read (nothing can set it).
        Assert.Equal(new[] { 6, 8 }, batch.Get<int>("Computed"));
        var read = codec.Read(batch);
        Assert.Equal([(3L, "x"), (4L, null)], read.Select(r => (r.Id, r.Text)));
    }

    public sealed record Wide(long Id, double Score, long Small, float Half, decimal Amount);

    [Fact]
    public void ReadingWidensNumbersSafely()
    {
        var batch = Columns.Batch(("Id", new[] { 1, 2 }), ("Score", new[] { 3, 4 }), ("Small", new byte[] { 5, 6 }),
            ("Half", new short[] { 7, 8 }), ("Amount", new long[] { 9, 10 }));

        var read = RowCodecs.For<Wide>().Read(batch);

        Assert.Equal([new Wide(1, 3, 5, 7, 9), new Wide(2, 4, 6, 8, 10)], read);
    }

    public sealed record Narrow(int Id);

    [Fact]
    public void ReadingDoesNotNarrow()
    {
        var batch = Columns.Batch(("Id", new[] { 1L }));

        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Narrow>().Read(batch));

        Assert.Equal("Id", error.Column);
        Assert.Contains("the property Narrow.Id is int but the column is int64", error.Message);
    }

    public sealed record Person(long Id, string Name);

    [Fact]
    public void WrongTypeNamesTheColumnAndBothTypes()
    {
        var batch = Columns.Batch(("Id", new[] { "one" }), ("Name", new[] { "ann" }));

        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Person>().Read(batch));

        Assert.Equal("Id", error.Column);
        Assert.Equal("Column 'Id': the property Person.Id is long but the column is string", error.Message);
    }

    [Fact]
    public void MissingColumnNamesTheColumnTheTypeAndTheBlocksColumns()
    {
        var batch = Columns.Batch(("Id", new[] { 1L }), ("Other", new[] { "x" }));

        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Person>().Read(batch));

        Assert.Equal("Name", error.Column);
        Assert.Contains("Person", error.Message);
        Assert.Contains("string", error.Message);
        Assert.Contains("its columns are Id, Other", error.Message);
    }

    [Fact]
    public void NullIntoNonNullableValueTypeNamesTheColumnAndRow()
    {
        var batch = Columns.Batch(("Id", new long?[] { 1, 2, null }), ("Name", new[] { "a", "b", "c" }));

        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Person>().Read(batch));

        Assert.Equal("Id", error.Column);
        Assert.Contains("row 2 is null", error.Message);
        Assert.Contains("long?", error.Message);
    }

    [Fact]
    public void NullIntoNonNullableReferencePropertyIsRefusedOnWrite()
    {
        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Person>().Write([new Person(1, null!)]));

        Assert.Equal("Name", error.Column);
        Assert.Contains("row 0 is null", error.Message);
    }

    [Fact]
    public void ColumnsMatchByCaseWhenNoExactName()
    {
        var batch = Columns.Batch(("id", new[] { 5L }), ("name", new[] { "e" }), ("extra", new[] { 1.0 }));

        Assert.Equal(new Person(5, "e"), Assert.Single(RowCodecs.For<Person>().Read(batch)));
    }

    [Fact]
    public void TimesReadFromAnyUnitZoneAndDate()
    {
        var instant = new DateTime(2023, 3, 4, 5, 6, 7, 123, DateTimeKind.Utc);
        var nanos = new TimestampArray.Builder(TimeUnit.Nanosecond, "Europe/Paris").Append(new DateTimeOffset(instant)).Build();
        var seconds = new TimestampArray.Builder(TimeUnit.Second).Append(new DateTimeOffset(instant.AddMilliseconds(-123))).Build();
        var date64 = new Date64Array.Builder().Append(instant.Date).Build();
        var batch = new RecordBatch(new Schema.Builder()
            .Field(f => f.Name("At").DataType(nanos.Data.DataType))
            .Field(f => f.Name("AtOffset").DataType(seconds.Data.DataType))
            .Field(f => f.Name("Day").DataType(Date64Type.Default)).Build(), [nanos, seconds, date64], 1);

        var read = Assert.Single(RowCodecs.For<Times>().Read(batch));

        Assert.Equal(instant, read.At);
        Assert.Equal(DateTimeKind.Utc, read.At.Kind);
        Assert.Equal(new DateTimeOffset(instant.AddMilliseconds(-123)), read.AtOffset);
        Assert.Equal(DateOnly.FromDateTime(instant), read.Day);
    }

    public sealed record Times(DateTime At, DateTimeOffset AtOffset, DateOnly Day);

    [Fact]
    public void StringsReadFromLargeStringAndStringView()
    {
        var large = new LargeStringArray.Builder().Append("big").AppendNull().Build();
        var view = new StringViewArray.Builder().Append("a view longer than twelve bytes").Append("v").Build();
        var batch = new RecordBatch(new Schema.Builder()
            .Field(f => f.Name("Large").DataType(LargeStringType.Default))
            .Field(f => f.Name("View").DataType(StringViewType.Default)).Build(), [large, view], 2);

        var read = RowCodecs.For<Strings>().Read(batch);

        Assert.Equal([new Strings("big", "a view longer than twelve bytes"), new Strings(null, "v")], read);
    }

    public sealed record Strings(string? Large, string View);

    public sealed record Unsupported(long Id, Dictionary<string, int> Map);

    [Fact]
    public void PropertyOfAnUnsupportedTypeIsNamed()
    {
        var error = Assert.Throws<SchemaMismatchException>(() => RowCodecs.For<Unsupported>());

        Assert.Equal("Map", error.Column);
        Assert.Contains("Dictionary<string, int>", error.Message);
    }

    [Fact]
    public void SchemaOfNamesAPropertyOfAnUnsupportedTypeToo()
    {
        Assert.Equal("Map", Assert.Throws<SchemaMismatchException>(() => RowCodecs.SchemaOf(typeof(Unsupported))).Column);
    }

    public readonly record struct Point(int X, int Y)
    {
        public string? Label { get; init; }
    }

    [Fact]
    public void RecordStructsWithConstructorAndInitPropertiesRoundTrip()
    {
        var codec = RowCodecs.For<Point>();
        Point[] points = [new(1, 2) { Label = "a" }, new(3, 4)];

        Assert.Equal(points, codec.Read(codec.Write(points)));
    }

    [Fact]
    public void SlicedBatchesReadTheirOwnRows()
    {
        var codec = RowCodecs.For<AllTypes>();
        var rows = Enumerable.Range(0, 20).Select(Sample).ToList();

        var read = codec.Read(codec.Write(rows).Slice(5, 10));

        Assert.Equal(10, read.Count);
        for (var i = 0; i < 10; i++) AssertSame(rows[i + 5], read[i]);
    }

    public sealed record Item(long Id, string Text);

    [Fact]
    public void AMillionRowBatchReadsAndWritesEveryRow()
    {
        const int count = 1_000_000;
        var ids = new long[count];
        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = i * 3L;
            texts[i] = "row " + i;
        }
        var batch = Columns.Batch(("Id", ids), ("Text", texts));
        var codec = RowCodecs.For<Item>();

        var read = codec.Read(batch);
        var written = codec.Write(read);

        Assert.Equal(count, read.Count);
        for (var i = 0; i < count; i += 9973) Assert.Equal(new Item(i * 3L, "row " + i), read[i]);
        Assert.Equal(new Item((count - 1) * 3L, "row " + (count - 1)), read[count - 1]);
        Assert.Equal(ids, written.Get<long>("Id"));
        Assert.Equal(texts, written.Get<string>("Text"));
    }
}
