using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Formats;
using static Grid.Data.Tests.Formats.Data;

namespace Grid.Data.Tests.Formats;

public sealed class ParquetFormatTests : IDisposable
{
    readonly TempDirectory _dir = new();
    readonly LocalFileSystem _fs = LocalFileSystem.Instance;

    public void Dispose() => _dir.Dispose();

    /// <summary>Three rows of every type the formats support, with a null in every column.</summary>
    static RecordBatch EveryType()
    {
        var seconds = new TimestampType(TimeUnit.Second, "UTC");
        var millis = new TimestampType(TimeUnit.Millisecond, "UTC");
        var nanos = new TimestampType(TimeUnit.Nanosecond, "UTC");
        return Batch(
            ("i8", new Int8Array.Builder().Append(-8).AppendNull().Append(sbyte.MaxValue).Build()),
            ("i16", new Int16Array.Builder().Append(-16).AppendNull().Append(short.MinValue).Build()),
            ("i32", new Int32Array.Builder().Append(-32).AppendNull().Append(int.MaxValue).Build()),
            ("i64", Longs(-64, null, long.MinValue)),
            ("u8", new UInt8Array.Builder().Append(8).AppendNull().Append(byte.MaxValue).Build()),
            ("u16", new UInt16Array.Builder().Append(16).AppendNull().Append(ushort.MaxValue).Build()),
            ("u32", new UInt32Array.Builder().Append(32).AppendNull().Append(uint.MaxValue).Build()),
            ("u64", new UInt64Array.Builder().Append(64).AppendNull().Append(ulong.MaxValue).Build()),
            ("f32", new FloatArray.Builder().Append(1.5f).AppendNull().Append(float.MaxValue).Build()),
            ("f64", Doubles(0.1, null, -1e300)),
            ("flag", Bools(true, false, null)),
            ("text", Strings("plain", null, "ünïcødé, \"quoted\"\nline")),
            ("large", new LargeStringArray.Builder().Append("large").AppendNull().Append("").Build()),
            ("bytes", new BinaryArray.Builder().Append([1, 2, 3]).AppendNull().Append(System.Array.Empty<byte>()).Build()),
            ("ts_s", Timestamps(seconds, T0, null, T0.AddDays(-20000))),
            ("ts_ms", Timestamps(millis, T0.AddMilliseconds(123), null, T0)),
            ("ts_us", Timestamps(Micros, T0.AddTicks(1230), null, T0)),
            ("ts_ns", Timestamps(nanos, T0.AddTicks(1), null, T0)),
            ("day", new Date32Array.Builder().Append(new DateOnly(2024, 2, 29)).AppendNull().Append(new DateOnly(1900, 1, 1)).Build()),
            ("money", new Decimal128Array.Builder(new Decimal128Type(18, 4)).Append(12.3456m).AppendNull().Append(-0.0001m).Build()),
            ("tags", StringLists(["a", null, "b,c"], null, [])),
            ("counts", LongLists([1, 2], [], null)));
    }

    [Fact]
    public void A_round_trip_keeps_every_type_value_and_null()
    {
        var batch = EveryType();
        string path = Write(FileFormat.Parquet, _dir.Path, "all.parquet", batch);
        Assert.Equal(_dir.File("all.parquet"), path);
        Assert.Equal(["all.parquet"], _dir.AllFiles());

        // Parquet has no timestamps in seconds: they come back in milliseconds (the same instants). Every other type is kept.
        string expected = Describe(batch.Schema).Replace("ts_s:Timestamp(Second,UTC)", "ts_s:Timestamp(Millisecond,UTC)");
        Assert.Equal(expected, Describe(FileFormats.ReadSchema(_fs, FileFormat.Parquet, path)));
        var read = ReadAll(FileFormat.Parquet, path);
        Assert.Equal(expected, Describe(read[0].Schema));
        Assert.Equal(JsonRows([batch]), JsonRows(read));
    }

    [Fact]
    public void A_projection_keeps_only_its_columns_in_its_order()
    {
        string path = Write(FileFormat.Parquet, _dir.Path, "all.parquet", EveryType());
        var read = ReadAll(FileFormat.Parquet, path, ["tags", "text", "i64"]);
        Assert.Equal("tags:List<String> text:String i64:Int64", Describe(read[0].Schema));
        Assert.Equal(JsonRows([Batch(("tags", StringLists(["a", null, "b,c"], null, [])), ("text", Strings("plain", null, "ünïcødé, \"quoted\"\nline")), ("i64", Longs(-64, null, long.MinValue)))]), JsonRows(read));
    }

    [Fact]
    public void A_projected_column_the_file_lacks_is_a_SchemaMismatch_naming_the_file_and_its_columns()
    {
        string path = Write(FileFormat.Parquet, _dir.Path, "x.parquet", Batch(("a", Longs(1)), ("b", Strings("x"))));
        var e = Assert.Throws<SchemaMismatchException>(() => ReadAll(FileFormat.Parquet, path, ["a", "nope"]));
        Assert.Equal("nope", e.Column);
        Assert.Contains(path, e.Message);
        Assert.Contains("its columns: a, b", e.Message);
    }

    [Fact]
    public void Each_batch_is_a_row_group_and_fragments_follow_them()
    {
        var batches = Enumerable.Range(0, 3).Select(g => Batch(("id", Longs(g * 4, g * 4 + 1, g * 4 + 2, g * 4 + 3)))).ToArray();
        string path = Write(FileFormat.Parquet, _dir.Path, "groups.parquet", batches);
        var files = _fs.List(_dir.Path);

        var perGroup = FileFormats.Fragments(_fs, FileFormat.Parquet, files, perRowGroup: true);
        Assert.Equal([[0], [1], [2]], perGroup.Select(f => f.RowGroups!));
        Assert.All(perGroup, f => { Assert.Equal(path, f.Path); Assert.Equal(4, f.EstimatedRows); Assert.True(f.EstimatedBytes > 0); });
        var second = FileFormats.Read(_fs, FileFormat.Parquet, perGroup[1], null, 1000).ToList();
        Assert.Equal(JsonRows([batches[1]]), JsonRows(second));

        var whole = Assert.Single(FileFormats.Fragments(_fs, FileFormat.Parquet, files, perRowGroup: false));
        Assert.Equal([0, 1, 2], whole.RowGroups!);
        Assert.Equal(12, whole.EstimatedRows);
        Assert.Equal(perGroup.Sum(f => f.EstimatedBytes), whole.EstimatedBytes);
        var all = FileFormats.Read(_fs, FileFormat.Parquet, whole, null, maxRowsPerBatch: 3).ToList();
        Assert.All(all, b => Assert.InRange(b.Length, 1, 3));
        Assert.Equal(JsonRows(batches), JsonRows(all));
    }

    [Fact]
    public void A_zero_row_batch_writes_a_file_with_only_the_schema()
    {
        string path = Write(FileFormat.Parquet, _dir.Path, "empty.parquet", Batch(("id", Longs()), ("name", Strings())));
        Assert.Equal("id:Int64 name:String", Describe(FileFormats.ReadSchema(_fs, FileFormat.Parquet, path)));
        Assert.Empty(JsonRows(ReadAll(FileFormat.Parquet, path)));
    }

    [Fact]
    public void Garbage_is_a_DataFileException_naming_the_path()
    {
        string path = _dir.File("garbage.parquet");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        AssertUnreadable(path);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void A_truncated_file_is_a_DataFileException_naming_the_path(double keep)
    {
        string whole = Write(FileFormat.Parquet, _dir.Path, "whole.parquet", EveryType());
        byte[] bytes = File.ReadAllBytes(whole);
        string path = _dir.File("truncated.parquet");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        AssertUnreadable(path);
    }

    void AssertUnreadable(string path)
    {
        var files = new[] { new DataFile(path, new FileInfo(path).Length) };
        foreach (var attempt in new Action[]
                 {
                     () => FileFormats.Fragments(_fs, FileFormat.Parquet, files, perRowGroup: true),
                     () => FileFormats.ReadSchema(_fs, FileFormat.Parquet, path),
                     () => ReadAll(FileFormat.Parquet, path),
                 })
        {
            var e = Assert.Throws<DataFileException>(attempt);
            Assert.Equal(path, e.Path);
            Assert.Contains("not a readable Parquet file", e.Message);
        }
    }
}
