using Grid.Data.Formats;
using static Grid.Data.Tests.Formats.Data;

namespace Grid.Data.Tests.Formats;

public sealed class CsvFormatTests : IDisposable
{
    readonly TempDirectory _dir = new();
    readonly LocalFileSystem _fs = LocalFileSystem.Instance;

    public void Dispose() => _dir.Dispose();

    static Apache.Arrow.RecordBatch Mixed() => Batch(
        ("id", Longs(1, 2, null, -4)),
        ("score", Doubles(0.5, 2.0, null, -1e-9)),
        ("flag", Bools(true, null, false, true)),
        ("name", Strings("plain", "comma, \"quote\"", null, "ünï\r\nline\nbreak")),
        ("blank", Strings("", " padded ", null, "x")),
        ("at", Timestamps(Micros, T0, T0.AddTicks(-10), null, T0.AddYears(-60))));

    [Fact]
    public void A_round_trip_keeps_values_nulls_and_the_inferred_types()
    {
        var batch = Mixed();
        string path = Write(FileFormat.Csv, _dir.Path, "mixed.csv", batch);
        string expected = "id:Int64 score:Double flag:Boolean name:String blank:String at:Timestamp(Microsecond,UTC)";
        Assert.Equal(expected, Describe(FileFormats.ReadSchema(_fs, FileFormat.Csv, path)));
        var read = ReadAll(FileFormat.Csv, path, maxRows: 3);
        Assert.Equal([3, 1], read.Select(b => b.Length));
        Assert.All(read, b => Assert.Equal(expected, Describe(b.Schema)));
        Assert.Equal(JsonRows([batch]), JsonRows(read));
    }

    [Fact]
    public void Writing_quotes_what_needs_it_and_leaves_nulls_empty()
    {
        string path = Write(FileFormat.Csv, _dir.Path, "q.csv", Batch(("a", Strings("x,y", null, "", "say \"hi\"")), ("b", Doubles(1, 2, null, 3.25))));
        Assert.Equal("a,b\n\"x,y\",1.0\n,2.0\n\"\",\n\"say \"\"hi\"\"\",3.25\n", File.ReadAllText(path));
    }

    [Fact]
    public void Types_are_inferred_over_the_whole_file()
    {
        var lines = Enumerable.Range(0, 2500).Select(i => $"{i},{i},{(i % 2 == 0 ? "true" : "FALSE")},2024-01-0{i % 9 + 1}T10:00:00Z,{i}");
        string path = _dir.Write("late.csv", "n,late_double,b,t,late_text\n" + string.Join("\n", lines) + "\n1,2.5,true,2024-01-01,text\n");
        Assert.Equal("n:Int64 late_double:Double b:Boolean t:Timestamp(Microsecond,UTC) late_text:String", Describe(FileFormats.ReadSchema(_fs, FileFormat.Csv, path)));
        var read = ReadAll(FileFormat.Csv, path, maxRows: 1000);
        Assert.Equal([1000, 1000, 501], read.Select(b => b.Length));
        Assert.Equal("{\"n\":1,\"late_double\":2.5,\"b\":true,\"t\":\"2024-01-01T00:00:00.0000000+00:00\",\"late_text\":\"text\"}", JsonRows(read)[^1]);
        Assert.Equal("{\"n\":1,\"late_double\":1.0,\"b\":false,\"t\":\"2024-01-02T10:00:00.0000000+00:00\",\"late_text\":\"1\"}", JsonRows(read)[1]);
    }

    [Fact]
    public void Empty_columns_are_null_strings_and_timestamps_without_offset_are_UTC()
    {
        string path = _dir.Write("e.csv", "a,b,c\r\n,2024-03-04T05:06:07.5,\r\n\r\n,2024-03-04 05:06,x\r\n");
        var read = ReadAll(FileFormat.Csv, path);
        Assert.Equal("a:String b:Timestamp(Microsecond,UTC) c:String", Describe(read[0].Schema));
        Assert.Equal(["{\"a\":null,\"b\":\"2024-03-04T05:06:07.5000000+00:00\",\"c\":null}", "{\"a\":null,\"b\":\"2024-03-04T05:06:00.0000000+00:00\",\"c\":\"x\"}"], JsonRows(read));
    }

    [Fact]
    public void A_delimiter_and_no_header_are_options()
    {
        string path = _dir.Write("semi.csv", "1;\"a;b\"\n2;c\n");
        var options = new CsvReadOptions { Delimiter = ';', HasHeader = false };
        var read = ReadAll(FileFormat.Csv, path, csv: options);
        Assert.Equal("f0:Int64 f1:String", Describe(read[0].Schema));
        Assert.Equal(["{\"f0\":1,\"f1\":\"a;b\"}", "{\"f0\":2,\"f1\":\"c\"}"], JsonRows(read));
    }

    [Fact]
    public void A_projection_keeps_only_its_columns_in_its_order_and_a_missing_one_is_a_SchemaMismatch()
    {
        string path = Write(FileFormat.Csv, _dir.Path, "mixed.csv", Mixed());
        var read = ReadAll(FileFormat.Csv, path, ["flag", "id"]);
        Assert.Equal("flag:Boolean id:Int64", Describe(read[0].Schema));
        Assert.Equal(JsonRows([Batch(("flag", Bools(true, null, false, true)), ("id", Longs(1, 2, null, -4)))]), JsonRows(read));
        var e = Assert.Throws<SchemaMismatchException>(() => ReadAll(FileFormat.Csv, path, ["nope"]));
        Assert.Equal("nope", e.Column);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("a,b\n1,2\n3\n", "line 3 has 1 fields")]
    [InlineData("a,b\n1,\"open\n2,3\n", "starts on line 2 is never closed")]
    [InlineData("a,b\n1,2\n3,\"x\"y\n", "line 3 has text after the closing quote")]
    [InlineData("", "the file is empty")]
    public void A_malformed_file_is_a_DataFileException_naming_the_path_and_line(string text, string problem)
    {
        string path = _dir.Write("bad.csv", text);
        var e = Assert.Throws<DataFileException>(() => ReadAll(FileFormat.Csv, path));
        Assert.Equal(path, e.Path);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void One_fragment_per_file_estimated_by_its_size()
    {
        _dir.Write("a.csv", "x\n1\n");
        _dir.Write("b.csv", "x\n22\n");
        var fragments = FileFormats.Fragments(_fs, FileFormat.Csv, _fs.List(_dir.Path), perRowGroup: true);
        Assert.Equal([(_dir.File("a.csv"), 4L), (_dir.File("b.csv"), 5L)], fragments.Select(f => (f.Path, f.EstimatedBytes)));
        Assert.All(fragments, f => Assert.Null(f.RowGroups));
    }
}
