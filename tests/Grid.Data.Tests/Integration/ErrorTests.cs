using Grid.Testing;
namespace Grid.Data.Tests.Integration;

/// <summary>A record with a property no sales column has.</summary>
public sealed record SaleWithDiscount(long Id, double Discount);

/// <summary>
/// How a dataset fails: a user function's exception (named operator, original inner exception), a missing path, a
/// corrupt file, rows that do not fit the record, and a failed write that leaves no file under a final name.
/// </summary>
public abstract class ErrorTests(IDataFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new();
    private GridClient Grid => fixture.Grid;
    private static IReadOnlyList<Sale> Sales => TestRows.Sales;

    /// <summary>Throws on the sale of id 600 (block 4 of 8 blocks of 125).</summary>
    private static Sale ThrowOn600(Sale s) => s.Id == 600 ? throw new InvalidTimeZoneException("no zone for sale 600") : s;

    [Fact]
    public async Task A_map_that_throws_fails_the_dataset_naming_the_map()
    {
        var ds = Grid.FromItems(Sales, blocks: 8).Map<Sale, Sale>(ThrowOn600);
        var error = await Assert.ThrowsAsync<DatasetOperatorException>(() => ds.TakeAllAsync<Sale>());
        Assert.Equal("Map(ThrowOn600)", error.OperatorName);
        Assert.Equal(4, error.BlockIndex);
        var inner = Assert.IsType<InvalidTimeZoneException>(error.InnerException);
        Assert.Equal("no zone for sale 600", inner.Message);

        // A lambda is named "lambda"; the error comes the same way out of a count.
        var lambda = Grid.FromItems(Sales, blocks: 8).Map(static (Sale s) => s.Id == 3 ? throw new InvalidTimeZoneException("3") : s);
        var counted = await Assert.ThrowsAsync<DatasetOperatorException>(() => lambda.CountAsync());
        Assert.Equal("Map(lambda)", counted.OperatorName);
        Assert.IsType<InvalidTimeZoneException>(counted.InnerException);
    }

    [Fact]
    public async Task Reading_a_missing_path_is_DataPathNotFound()
    {
        var missing = _folder["nothing-here"];
        var error = await Assert.ThrowsAsync<DataPathNotFoundException>(() => Grid.ReadParquet(missing).CountAsync());
        Assert.Equal(missing, error.Path);
        await Assert.ThrowsAsync<DataPathNotFoundException>(() => Grid.ReadCsv(Path.Combine(_folder.Path, "*.csv")).TakeAllAsync<Row>());
    }

    [Fact]
    public async Task Reading_a_corrupt_parquet_file_is_DataFileException_naming_it()
    {
        var corrupt = _folder["corrupt.parquet"];
        await File.WriteAllBytesAsync(corrupt, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
        var error = await Assert.ThrowsAsync<DataFileException>(() => Grid.ReadParquet(corrupt).CountAsync());
        Assert.Equal(corrupt, error.Path);
        Assert.Contains(corrupt, error.Message);

        // A good file with a truncated one beside it: the directory read fails on the truncated one.
        var files = await Grid.FromItems(Sales).WriteParquetAsync(_folder["dir"]);
        var bytes = await File.ReadAllBytesAsync(files[0]);
        var truncated = Path.Combine(_folder["dir"], "truncated.parquet");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var inDirectory = await Assert.ThrowsAsync<DataFileException>(() => Grid.ReadParquet(_folder["dir"]).TakeAllAsync<Sale>());
        Assert.Equal(truncated, inDirectory.Path);
    }

    [Fact]
    public async Task A_record_property_without_a_column_is_SchemaMismatch_naming_it()
    {
        var ds = Grid.FromItems(Sales).Map(static (SaleWithDiscount s) => s.Id);
        var error = await Assert.ThrowsAsync<SchemaMismatchException>(() => ds.CountAsync());
        Assert.Equal("Discount", error.Column);

        var read = await Assert.ThrowsAsync<SchemaMismatchException>(() => Grid.FromItems(Sales).TakeAllAsync<SaleWithDiscount>());
        Assert.Equal("Discount", read.Column);
    }

    [Fact]
    public async Task A_write_whose_function_throws_leaves_no_file_for_its_block()
    {
        var output = _folder["out"];
        var ds = Grid.FromItems(Sales, blocks: 8).Map<Sale, Sale>(ThrowOn600);
        var error = await Assert.ThrowsAsync<DatasetOperatorException>(() => ds.WriteParquetAsync(output));
        Assert.IsType<InvalidTimeZoneException>(error.InnerException);

        // Blocks written before the failure may stay, each complete; block 4's file is not there under any name. The
        // writes of other blocks still running when the error came back finish their files or delete their temporary
        // ones: none is left behind.
        string[] Files() => Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories) : [];
        await Eventually.WaitAsync(() => Files().All(f => f.EndsWith(".parquet", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the running writes to end");
        var left = Files();
        Assert.DoesNotContain(left, f => Path.GetFileName(f).Contains("_000004_", StringComparison.Ordinal));
        if (left.Length > 0)
        {
            var rows = await Grid.ReadParquet(output).TakeAllAsync<Sale>();
            Assert.All(rows, s => Assert.NotInRange(s.Id, 500, 624));
            Assert.Subset(Sales.ToHashSet(), rows.ToHashSet());
        }

        // Every row fails: nothing at all is written.
        var none = _folder["none"];
        await Assert.ThrowsAsync<DatasetOperatorException>(() =>
            Grid.FromItems(Sales, blocks: 3).Map(static (Sale s) => s.Amount >= 0 ? throw new InvalidTimeZoneException("all") : s).WriteCsvAsync(none));
        Assert.Empty(Directory.Exists(none) ? Directory.GetFiles(none, "*", SearchOption.AllDirectories) : []);
    }

    public void Dispose() => _folder.Dispose();
}

[Collection("data-embedded")]
public sealed class EmbeddedErrorTests(EmbeddedDataFixture fixture) : ErrorTests(fixture);

[Collection("data-cluster")]
public sealed class ClusterErrorTests(ClusterDataFixture fixture) : ErrorTests(fixture);
