namespace Grid.Data.Tests.Integration;

/// <summary>A row of every kind of value the formats keep: nulls, strings, numbers, bools and timestamps.</summary>
public sealed record Mixed(long Id, long? Count, double Ratio, string? Name, bool Flag, DateTime When, double? Maybe);

/// <summary>A row with lists, which Parquet and JSON lines keep (CSV has no lists).</summary>
public sealed record Listed(long Id, List<long>? Tags, List<string>? Words);

/// <summary>
/// FromItems → Write* → Read* → TakeAll gives the input back, for each format, on the embedded mode and on the
/// 3-silo cluster (whose write and read tasks run on every node: the paths are this machine's, as a shared mount).
/// </summary>
public abstract class RoundTripTests(IDataFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new();
    private GridClient Grid => fixture.Grid;

    private static readonly DateTime T0 = new(2024, 5, 1, 12, 30, 15, DateTimeKind.Utc);

    /// <summary>
    /// 500 rows: every third count null, every fifth name null, every seventh empty, names with the characters CSV
    /// quotes (delimiters, quotes, line breaks, surrounding spaces) and non-ASCII text; timestamps in microseconds
    /// (what the formats keep), ratios never integral (so JSON infers doubles).
    /// </summary>
    public static readonly IReadOnlyList<Mixed> MixedRows = [.. Enumerable.Range(0, 500).Select(i => new Mixed(
        i,
        i % 3 == 0 ? null : i * 1_000_003L - 250_000,
        i / 8.0 + 0.1,
        i % 5 == 0 ? null : i % 7 == 0 ? "" : (i % 4) switch { 0 => $"plain {i}", 1 => $"comma, \"quote\" {i}", 2 => $"line\nbreak {i} ", _ => $"héllo wörld ✓ {i}" },
        i % 2 == 0,
        T0.AddTicks(i * 37_000_010L),
        i % 6 == 0 ? null : -i * 0.75 - 0.5))];

    public static readonly IReadOnlyList<Listed> ListedRows = [.. Enumerable.Range(0, 300).Select(i => new Listed(
        i,
        i % 4 == 0 ? null : [.. Enumerable.Range(0, i % 5).Select(j => (long)i * j)],
        i % 3 == 0 ? null : [.. Enumerable.Range(0, i % 3).Select(j => $"w{i}-{j}")]))];

    [Fact]
    public async Task Parquet_round_trip_keeps_every_value()
    {
        var files = await Grid.FromItems(MixedRows, blocks: 4).WriteParquetAsync(_folder["mixed"]);
        Assert.Equal(4, files.Count);
        Assert.Equal(MixedRows, await Grid.ReadParquet(_folder["mixed"]).TakeAllAsync<Mixed>());

        await Grid.FromItems(ListedRows, blocks: 3).WriteParquetAsync(_folder["listed"]);
        AssertLists(ListedRows, await Grid.ReadParquet(_folder["listed"]).TakeAllAsync<Listed>());
    }

    [Fact]
    public async Task Csv_round_trip_keeps_every_value()
    {
        var files = await Grid.FromItems(MixedRows, blocks: 4).WriteCsvAsync(_folder["mixed"]);
        Assert.Equal(4, files.Count);
        Assert.All(files, f => Assert.EndsWith(".csv", f));
        Assert.Equal(MixedRows, await Grid.ReadCsv(_folder["mixed"]).TakeAllAsync<Mixed>());
    }

    [Fact]
    public async Task Json_round_trip_keeps_every_value()
    {
        var files = await Grid.FromItems(MixedRows, blocks: 4).WriteJsonAsync(_folder["mixed"]);
        Assert.All(files, f => Assert.EndsWith(".jsonl", f));
        // JSON has no timestamp type: they come back as ISO 8601 strings.
        var rows = await Grid.ReadJson(_folder["mixed"]).TakeAllAsync<Row>();
        Assert.Equal(MixedRows, rows.Select(r => new Mixed(r.Get<long>("Id"), r.Get<long?>("Count"), r.Get<double>("Ratio"), r.Get<string?>("Name"),
            r.Get<bool>("Flag"), DateTime.Parse(r.Get<string>("When"), null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
            r.Get<double?>("Maybe"))));

        await Grid.FromItems(ListedRows, blocks: 3).WriteJsonAsync(_folder["listed"]);
        AssertLists(ListedRows, await Grid.ReadJson(_folder["listed"]).TakeAllAsync<Listed>());
    }

    [Fact]
    public async Task Projected_read_and_a_chain_of_formats_keep_the_rows()
    {
        // Parquet → CSV → JSON → Parquet, each written by the tasks of the previous read.
        await Grid.FromItems(TestRows.Sales, blocks: 5).WriteParquetAsync(_folder["a"]);
        await Grid.ReadParquet(_folder["a"]).WriteCsvAsync(_folder["b"]);
        await Grid.ReadCsv(_folder["b"]).WriteJsonAsync(_folder["c"]);
        await Grid.ReadJson(_folder["c"]).WriteParquetAsync(_folder["d"]);
        Assert.Equal(TestRows.Sales, await Grid.ReadParquet(_folder["d"]).TakeAllAsync<Sale>());

        var ids = await Grid.ReadParquet(_folder["d"], new ReadOptions { Columns = ["Id"] }).TakeAllAsync<Row>();
        Assert.All(ids, r => Assert.Equal(["Id"], r.Keys));
        Assert.Equal(TestRows.Sales.Select(s => s.Id), ids.Select(r => r.Get<long>("Id")));
    }

    private static void AssertLists(IReadOnlyList<Listed> expected, IReadOnlyList<Listed> actual)
    {
        static string Text(Listed l) => $"{l.Id}|{(l.Tags is null ? "null" : string.Join(",", l.Tags))}|{(l.Words is null ? "null" : string.Join(",", l.Words))}";
        Assert.Equal(expected.Select(Text), actual.Select(Text));
    }

    public void Dispose() => _folder.Dispose();
}

[Collection("data-embedded")]
public sealed class EmbeddedRoundTripTests(EmbeddedDataFixture fixture) : RoundTripTests(fixture);

[Collection("data-cluster")]
public sealed class ClusterRoundTripTests(ClusterDataFixture fixture) : RoundTripTests(fixture);
