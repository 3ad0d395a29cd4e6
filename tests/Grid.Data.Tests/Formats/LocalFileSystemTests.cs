using Grid.Data.Formats;

namespace Grid.Data.Tests.Formats;

public sealed class LocalFileSystemTests : IDisposable
{
    readonly TempDirectory _dir = new();
    readonly LocalFileSystem _fs = LocalFileSystem.Instance;

    public LocalFileSystemTests()
    {
        foreach (var name in new[] { "b.csv", "a.parquet", ".hidden.parquet", "_SUCCESS", ".a.parquet.0123.tmp", "sub/c.PARQUET",
                     "sub/part-1.csv", "sub/deep/part-2.csv", "sub/notes.txt", "_temporary/d.parquet", ".git/e.parquet" })
            _dir.Write(name, name);
    }

    public void Dispose() => _dir.Dispose();

    string[] Relative(IReadOnlyList<DataFile> files) => files.Select(f => Path.GetRelativePath(_dir.Path, f.Path)).ToArray();

    [Fact]
    public void A_directory_lists_its_visible_files_recursively_sorted_by_path()
    {
        var files = _fs.List(_dir.Path);
        Assert.Equal(["a.parquet", "b.csv", "sub/c.PARQUET", "sub/deep/part-2.csv", "sub/notes.txt", "sub/part-1.csv"], Relative(files));
        Assert.All(files, f => Assert.Equal(new FileInfo(f.Path).Length, f.Bytes));
    }

    [Fact]
    public void A_directory_keeps_only_the_given_extensions_in_any_case()
    {
        Assert.Equal(["a.parquet", "sub/c.PARQUET"], Relative(_fs.List(_dir.Path, [".parquet"])));
        Assert.Equal(["b.csv", "sub/deep/part-2.csv", "sub/part-1.csv"], Relative(_fs.List(_dir.Path, ["csv"])));
    }

    [Fact]
    public void A_file_is_listed_as_itself_whatever_its_extension()
    {
        var files = _fs.List(_dir.File("sub/notes.txt"), [".csv"]);
        Assert.Equal(["sub/notes.txt"], Relative(files));
        Assert.Equal("sub/notes.txt".Length, files[0].Bytes);
    }

    [Theory]
    [InlineData("*.parquet", new[] { "a.parquet" })]
    [InlineData("**/part-*.csv", new[] { "sub/deep/part-2.csv", "sub/part-1.csv" })]
    [InlineData("**/*.csv", new[] { "b.csv", "sub/deep/part-2.csv", "sub/part-1.csv" })]
    [InlineData("**", new[] { "a.parquet", "b.csv", "sub/c.PARQUET", "sub/deep/part-2.csv", "sub/notes.txt", "sub/part-1.csv" })]
    [InlineData("su?/*.csv", new[] { "sub/part-1.csv" })]
    [InlineData("sub/**/part-?.csv", new[] { "sub/deep/part-2.csv", "sub/part-1.csv" })]
    [InlineData("*/deep/*", new[] { "sub/deep/part-2.csv" })]
    public void A_glob_matches_visible_files_sorted(string glob, string[] expected) =>
        Assert.Equal(expected, Relative(_fs.List(Path.Combine(_dir.Path, glob))));

    [Fact]
    public void A_glob_with_extensions_keeps_only_those() =>
        Assert.Equal(["b.csv", "sub/deep/part-2.csv", "sub/part-1.csv"], Relative(_fs.List(Path.Combine(_dir.Path, "**"), [".csv"])));

    [Theory]
    [InlineData("missing")]
    [InlineData("missing/*.csv")]
    [InlineData("*.json")]
    [InlineData("_temporary")]
    public void A_path_that_matches_nothing_is_DataPathNotFound(string relative)
    {
        var path = Path.Combine(_dir.Path, relative);
        var e = Assert.Throws<DataPathNotFoundException>(() => _fs.List(path, relative == "_temporary" ? [".csv"] : null));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_directory_without_files_of_the_extensions_is_DataPathNotFound_naming_them()
    {
        var e = Assert.Throws<DataPathNotFoundException>(() => _fs.List(_dir.Path, [".jsonl"]));
        Assert.Contains(".jsonl files", e.Message);
    }

    [Fact]
    public void OpenRead_of_a_missing_file_is_DataPathNotFound() =>
        Assert.Equal(_dir.File("nope.csv"), Assert.Throws<DataPathNotFoundException>(() => _fs.OpenRead(_dir.File("nope.csv"))).Path);

    [Fact]
    public void A_temporary_file_is_hidden_next_to_its_target_until_committed()
    {
        string target = _dir.File("sub/new.csv");
        using (var stream = _fs.CreateTemporary(target, out var temporary))
        {
            stream.Write("x"u8);
            Assert.Equal(_dir.File("sub"), Path.GetDirectoryName(temporary));
            Assert.StartsWith(".new.csv.", Path.GetFileName(temporary));
            Assert.EndsWith(".tmp", temporary);
            stream.Dispose();
            Assert.DoesNotContain("sub/new.csv", Relative(_fs.List(_dir.Path)));
            Assert.DoesNotContain(temporary, _fs.List(_dir.Path).Select(f => f.Path));
            _fs.Commit(temporary, target);
            Assert.False(File.Exists(temporary));
        }
        Assert.Equal("x", File.ReadAllText(target));
        Assert.Contains("sub/new.csv", Relative(_fs.List(_dir.Path)));
    }

    [Fact]
    public void Commit_replaces_an_existing_file_and_Delete_ignores_a_missing_one()
    {
        string target = _dir.Write("b.csv", "old");
        using (var stream = _fs.CreateTemporary(target, out var temporary))
        {
            stream.Write("new"u8);
            stream.Dispose();
            _fs.Commit(temporary, target);
        }
        Assert.Equal("new", File.ReadAllText(target));
        _fs.Delete(target);
        _fs.Delete(target);
        _fs.Delete(_dir.File("no/such/dir/file"));
        Assert.False(File.Exists(target));
    }
}
