using Grid.Samples.Data;

namespace Grid.Data.Tests.Integration;

/// <summary>
/// S18 through the sample's own code: the rows it keeps and scores equal the same computation with LINQ over the
/// same generated documents, and its model actors are built once each.
/// </summary>
public abstract class S18Tests(IDataFixture fixture) : IDisposable
{
    private const int Rows = 20_000;
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task S18_equals_linq_over_the_same_rows()
    {
        int before = LengthModel.Constructions;
        var run = await S18Pipeline.RunAsync(fixture.Grid, _folder.Path, Rows);
        var expected = S18Pipeline.RunLocally(S18Pipeline.Docs(Rows));

        Assert.NotEmpty(expected.Kept);
        Assert.Equal(expected.Kept, run.Kept);
        Assert.Equal(expected.Scored, run.Scored);
        Assert.Equal(Rows, await fixture.Grid.ReadParquet(_folder["input"]).CountAsync());
        Assert.NotEmpty(run.Files);
        Assert.All(run.Files, f => Assert.True(File.Exists(f), f));
        // The pool has one or two actors (other tests' pools may build models at the same time: at most this many more).
        Assert.InRange(LengthModel.Constructions - before, 1, 2 + OtherPools);

        var stats = Assert.IsType<DatasetStats>(run.Stats);
        Assert.Contains(stats.Operators, o => o.Name.StartsWith("Map", StringComparison.Ordinal) && o.Rows == Rows);
        Assert.Contains(stats.Operators, o => o.Name.StartsWith("Filter", StringComparison.Ordinal) && o.Rows == expected.Kept.Count);
    }

    /// <summary>Models other S18 runs of this process may build meanwhile (the embedded and the cluster class run in parallel).</summary>
    private const int OtherPools = 2;

    public void Dispose() => _folder.Dispose();
}

[Collection("data-embedded")]
public sealed class EmbeddedS18Tests(EmbeddedDataFixture fixture) : S18Tests(fixture);

[Collection("data-cluster")]
public sealed class ClusterS18Tests(ClusterDataFixture fixture) : S18Tests(fixture)
{
    [Fact]
    public async Task S18_blocks_spread_over_the_nodes()
    {
        // 12 files of 25 000 documents: about 13 700 rows of 12 bytes kept of each, blocks over the 100 KiB below which
        // a value is inlined in its owner rather than stored on a node.
        const int rows = 300_000;
        using var folder = new TempFolder();
        await S18Pipeline.GenerateAsync(fixture.Grid, rows, folder["input"], blocks: 12);
        // Kept in the object store: the memory summary lists the nodes holding the blocks the read tasks made.
        var kept = await S18Pipeline.LongTexts(fixture.Grid, folder["input"]).MaterializeAsync();
        var nodes = (await fixture.Grid.MemorySummaryAsync()).Rows.Select(r => r.Node).Distinct().ToList();
        Assert.True(nodes.Count > 1, $"blocks on {nodes.Count} node(s) of {fixture.NodeCount}");
        Assert.Equal(S18Pipeline.RunLocally(S18Pipeline.Docs(rows)).Kept, (await kept.TakeAllAsync<TextLength>()).OrderBy(t => t.Id));
    }
}
