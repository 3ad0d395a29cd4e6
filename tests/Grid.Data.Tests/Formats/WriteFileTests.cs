using Apache.Arrow;
using Grid.Data.Formats;
using static Grid.Data.Tests.Formats.Data;

namespace Grid.Data.Tests.Formats;

public sealed class WriteFileTests : IDisposable
{
    readonly TempDirectory _dir = new();
    readonly LocalFileSystem _fs = LocalFileSystem.Instance;

    public void Dispose() => _dir.Dispose();

    static IEnumerable<RecordBatch> ThrowAfterFirst()
    {
        yield return Batch(("id", Longs(1, 2)));
        throw new InvalidOperationException("the producer failed");
    }

    [Theory]
    [InlineData(FileFormat.Parquet)]
    [InlineData(FileFormat.Csv)]
    [InlineData(FileFormat.Json)]
    public void A_write_that_fails_midway_leaves_no_final_and_no_temporary_file(FileFormat format)
    {
        var e = Assert.Throws<InvalidOperationException>(() => FileFormats.WriteFile(_fs, format, _dir.File("out"), "part-0" + FileFormats.Extension(format), ThrowAfterFirst()));
        Assert.Equal("the producer failed", e.Message);
        Assert.Empty(_dir.AllFiles());
    }

    [Theory]
    [InlineData(FileFormat.Parquet)]
    [InlineData(FileFormat.Csv)]
    [InlineData(FileFormat.Json)]
    public void A_batch_of_another_schema_is_a_SchemaMismatch_and_leaves_nothing(FileFormat format)
    {
        var e = Assert.Throws<SchemaMismatchException>(() => Write(format, _dir.Path, "x", Batch(("id", Longs(1))), Batch(("id", Strings("one")))));
        Assert.Equal("id", e.Column);
        Assert.Empty(_dir.AllFiles());
    }

    [Theory]
    [InlineData(FileFormat.Parquet)]
    [InlineData(FileFormat.Csv)]
    [InlineData(FileFormat.Json)]
    public void No_batches_is_an_ArgumentException_and_writes_nothing(FileFormat format)
    {
        Assert.Throws<ArgumentException>(() => FileFormats.WriteFile(_fs, format, _dir.File("out"), "x", []));
        Assert.Empty(_dir.AllFiles());
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public void A_zero_row_batch_writes_a_header_only_CSV_and_an_empty_JSON_lines_file()
    {
        var empty = Batch(("id", Longs()), ("name", Strings()));
        Assert.Equal("id,name\n", File.ReadAllText(Write(FileFormat.Csv, _dir.Path, "e.csv", empty)));
        Assert.Equal("", File.ReadAllText(Write(FileFormat.Json, _dir.Path, "e.jsonl", empty)));
        Assert.Equal("id:String name:String", Describe(FileFormats.ReadSchema(_fs, FileFormat.Csv, _dir.File("e.csv"))));
    }

    [Theory]
    [InlineData(FileFormat.Parquet)]
    [InlineData(FileFormat.Csv)]
    [InlineData(FileFormat.Json)]
    public void A_write_creates_the_directory_and_replaces_an_older_file(FileFormat format)
    {
        string directory = _dir.File("a/b");
        Write(format, directory, "f", Batch(("id", Longs(1))));
        string path = Write(format, directory, "f", Batch(("id", Longs(2, 3))));
        Assert.Equal(["a/b/f"], _dir.AllFiles());
        Assert.Equal(["{\"id\":2}", "{\"id\":3}"], JsonRows(ReadAll(format, path)));
    }

    [Fact]
    public void A_type_the_text_formats_cannot_write_is_a_SchemaMismatch_naming_the_column()
    {
        var times = Batch(("when", new Time64Array.Builder().Append(1).Build()));
        var e = Assert.Throws<SchemaMismatchException>(() => Write(FileFormat.Csv, _dir.Path, "t.csv", times));
        Assert.Equal("when", e.Column);
        Assert.Empty(_dir.AllFiles());
    }
}
