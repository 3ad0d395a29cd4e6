using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Formats;
using static Grid.Data.Tests.Formats.Data;

namespace Grid.Data.Tests.Formats;

public sealed class JsonFormatTests : IDisposable
{
    readonly TempDirectory _dir = new();
    readonly LocalFileSystem _fs = LocalFileSystem.Instance;

    public void Dispose() => _dir.Dispose();

    static StructArray Points(params (long? X, string? Label)?[] points)
    {
        var type = new StructType([new Field("x", Int64Type.Default, true), new Field("label", StringType.Default, true)]);
        var validity = new ArrowBuffer.BitmapBuilder();
        foreach (var point in points)
            validity.Append(point is not null);
        return new StructArray(type, points.Length,
            [Longs(points.Select(p => p?.X).ToArray()), Strings(points.Select(p => p?.Label).ToArray())],
            validity.Build(), validity.UnsetBitCount, 0);
    }

    static RecordBatch Mixed() => Batch(
        ("id", Longs(1, null, 3)),
        ("score", Doubles(1.0, -0.25, null)),
        ("flag", Bools(null, true, false)),
        ("name", Strings("ünïcødé \"q\"\n", null, "")),
        ("tags", StringLists(["a", null], [], null)),
        ("counts", LongLists(null, [1, 2, null], [])),
        ("point", Points((1, "one"), null, (3, null))));

    [Fact]
    public void A_round_trip_keeps_values_nulls_lists_and_structs()
    {
        var batch = Mixed();
        string path = Write(FileFormat.Json, _dir.Path, "mixed.jsonl", batch);
        string expected = "id:Int64 score:Double flag:Boolean name:String tags:List<String> counts:List<Int64> point:Struct<x:Int64,label:String>";
        Assert.Equal(expected, Describe(FileFormats.ReadSchema(_fs, FileFormat.Json, path)));
        var read = ReadAll(FileFormat.Json, path, maxRows: 2);
        Assert.Equal([2, 1], read.Select(b => b.Length));
        Assert.All(read, b => Assert.Equal(expected, Describe(b.Schema)));
        Assert.Equal(JsonRows([batch]), JsonRows(read));
    }

    [Fact]
    public void Timestamps_are_written_as_ISO_strings_and_read_back_as_strings()
    {
        string path = Write(FileFormat.Json, _dir.Path, "t.jsonl", Batch(("at", Timestamps(Micros, T0, null))));
        Assert.Equal("{\"at\":\"2024-05-01T12:30:15.0000000+00:00\"}\n{\"at\":null}\n", File.ReadAllText(path));
        var read = ReadAll(FileFormat.Json, path);
        Assert.Equal("at:String", Describe(read[0].Schema));
    }

    [Fact]
    public void Inference_widens_over_the_file_and_missing_keys_are_null()
    {
        string path = _dir.Write("w.jsonl", """
            {"n": 1, "mixed": 1, "list": [1], "only_null": null}

            {"n": 2.5, "mixed": "two", "list": [2.5, null], "extra": {"a": true}}
            {"mixed": {"k": [1]}, "list": []}
            """);
        var read = ReadAll(FileFormat.Json, path);
        Assert.Equal("n:Double mixed:String list:List<Double> only_null:String extra:Struct<a:Boolean>", Describe(read[0].Schema));
        Assert.Equal([
            "{\"n\":1.0,\"mixed\":\"1\",\"list\":[1.0],\"only_null\":null,\"extra\":null}",
            "{\"n\":2.5,\"mixed\":\"two\",\"list\":[2.5,null],\"only_null\":null,\"extra\":{\"a\":true}}",
            "{\"n\":null,\"mixed\":\"{\\\"k\\\": [1]}\",\"list\":[],\"only_null\":null,\"extra\":null}",
        ], JsonRows(read));
    }

    [Fact]
    public void A_projection_keeps_only_its_columns_in_its_order_and_a_missing_one_is_a_SchemaMismatch()
    {
        string path = Write(FileFormat.Json, _dir.Path, "mixed.jsonl", Mixed());
        var read = ReadAll(FileFormat.Json, path, ["counts", "id"]);
        Assert.Equal("counts:List<Int64> id:Int64", Describe(read[0].Schema));
        Assert.Equal(JsonRows([Batch(("counts", LongLists(null, [1, 2, null], [])), ("id", Longs(1, null, 3)))]), JsonRows(read));
        var e = Assert.Throws<SchemaMismatchException>(() => ReadAll(FileFormat.Json, path, ["nope"]));
        Assert.Equal("nope", e.Column);
        Assert.Contains("its columns: id, score, flag", e.Message);
    }

    [Theory]
    [InlineData(FileFormat.Json)]
    [InlineData(FileFormat.Parquet)]
    public void A_sliced_batch_writes_only_its_rows(FileFormat format)
    {
        var batch = Mixed();
        var sliced = new RecordBatch(batch.Schema, batch.Arrays.Select(a => ArrowArrayFactory.Slice(a, 1, 2)), 2);
        string path = Write(format, _dir.Path, "sliced", sliced);
        Assert.Equal(JsonRows([batch])[1..], JsonRows(ReadAll(format, path)));
    }

    [Theory]
    [InlineData("{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,\n", "line 3 is not valid JSON")]
    [InlineData("{\"a\": 1}\n\n[1, 2]\n", "line 3 is not a JSON object")]
    public void A_malformed_line_is_a_DataFileException_naming_the_path_and_line(string text, string problem)
    {
        string path = _dir.Write("bad.jsonl", text);
        foreach (var attempt in new Action[] { () => ReadAll(FileFormat.Json, path), () => FileFormats.ReadSchema(_fs, FileFormat.Json, path) })
        {
            var e = Assert.Throws<DataFileException>(attempt);
            Assert.Equal(path, e.Path);
            Assert.Contains(problem, e.Message);
        }
    }

    [Fact]
    public void Doubles_that_JSON_lacks_are_strings()
    {
        string path = Write(FileFormat.Json, _dir.Path, "nan.jsonl", Batch(("d", Doubles(double.NaN, double.NegativeInfinity, 3))));
        Assert.Equal("{\"d\":\"NaN\"}\n{\"d\":\"-Infinity\"}\n{\"d\":3.0}\n", File.ReadAllText(path));
    }
}
