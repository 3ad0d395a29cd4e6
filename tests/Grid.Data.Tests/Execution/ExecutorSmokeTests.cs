using Apache.Arrow;

namespace Grid.Data.Tests.Execution;

public sealed record IdRow(long Id);
public sealed record Doc(long Id, string Text);
public sealed record Len(long Id, int Length);

public sealed class ExecutorSmokeTests : IAsyncLifetime
{
    private GridClient _grid = null!;

    public async Task InitializeAsync() => _grid = await GridClient.StartLocalAsync(node => node.NumCpus = 4);
    public async Task DisposeAsync() => await _grid.DisposeAsync();

    private static Doc MakeDoc(IdRow r) => new(r.Id, new string('x', (int)(r.Id % 100)));

    [Fact]
    public async Task Range_map_filter_count_and_take()
    {
        var ds = _grid.Range(1000, blocks: 4).Map(static (IdRow r) => MakeDoc(r)).Map(static (Doc d) => new Len(d.Id, d.Text.Length)).Filter(static (Len l) => l.Length > 50);
        Assert.Equal(Enumerable.Range(0, 1000).Count(i => i % 100 > 50), await ds.CountAsync());
        var all = await ds.TakeAllAsync<Len>();
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i % 100 > 50).Select(i => (long)i), all.Select(l => l.Id));
        var five = await ds.TakeAsync<Len>(5);
        Assert.Equal([51L, 52, 53, 54, 55], five.Select(l => l.Id));
        var stats = ds.Stats()!;
        Assert.Equal(["Range", "Map(lambda)", "Map(lambda)", "Filter(lambda)", "Limit(5)"], stats.Operators.Select(o => o.Name));
        Assert.Equal(5, stats.Operators[^1].Rows);
    }

    [Fact]
    public async Task Stats_count_rows_blocks_and_bytes_per_operator_and_the_progress_bars_name_them()
    {
        var output = new StringWriter();
        Grid.Data.Execution.ProgressView.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Interactive = Spectre.Console.InteractionSupport.Yes,
            Ansi = Spectre.Console.AnsiSupport.Yes,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        try
        {
            var ds = _grid.Range(1000, blocks: 4).Map(static (IdRow r) => MakeDoc(r)).Filter(static (Doc d) => d.Text.Length > 50)
                .WithOptions(o => o with { ShowProgress = true });
            Assert.Equal(490, await ds.CountAsync());
            var stats = ds.Stats()!;
            Assert.Equal(["Range", "Map(lambda)", "Filter(lambda)"], stats.Operators.Select(o => o.Name));
            Assert.Equal([1000L, 1000, 490], stats.Operators.Select(o => o.Rows));
            Assert.Equal(4, stats.Operators[0].Tasks);
            Assert.Equal(4, stats.Operators[2].Blocks);
            Assert.True(stats.Operators[2].Bytes > 490 * 8);
            Assert.Contains("Filter(lambda): 490 rows, 4 blocks", output.ToString());
        }
        finally
        {
            Grid.Data.Execution.ProgressView.Console = null;
        }
    }

    [Fact]
    public async Task Sort_groupby_shuffle()
    {
        var ds = _grid.Range(1000, blocks: 5).Map(static (IdRow r) => new Len(r.Id, (int)(r.Id * 7919 % 13)));
        var sorted = await ds.Sort("Length", descending: true).TakeAllAsync<Len>();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 7919 % 13).OrderByDescending(x => x), sorted.Select(l => l.Length));
        var groups = await ds.GroupBy("Length").Count().TakeAllAsync<Row>();
        Assert.Equal(13, groups.Count);
        var shuffled = await ds.RandomShuffle(seed: 7).TakeAllAsync<Len>();
        var again = await ds.RandomShuffle(seed: 7).TakeAllAsync<Len>();
        Assert.Equal(shuffled, again);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), shuffled.Select(l => l.Id).Order());
    }

    [Fact]
    public async Task Parquet_round_trip_and_actor_pool()
    {
        var dir = Path.Combine(Path.GetTempPath(), "grid-data-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = await _grid.Range(500, blocks: 3).Map(static (IdRow r) => MakeDoc(r)).WriteParquetAsync(dir);
            Assert.Equal(3, files.Count);
            var back = await _grid.ReadParquet(dir).TakeAllAsync<Doc>();
            Assert.Equal(Enumerable.Range(0, 500).Select(i => MakeDoc(new IdRow(i))), back);
            var lengths = await _grid.ReadParquet(dir)
                .MapBatches(() => new Model(2), static (Model m, RecordBatch b) => m.Predict(b), new ActorPoolOptions { MinSize = 1, MaxSize = 2, NumCpus = 0.5 })
                .TakeAllAsync<Row>();
            Assert.Equal(500, lengths.Count);
            var scored = _grid.ReadParquet(dir).MapBatches(() => new Model(2), static (Model m, RecordBatch b) => m.Predict(b), new ActorPoolOptions());
            var scoredFiles = await scored.WriteJsonAsync(Path.Combine(dir, "scored"));
            Assert.Equal(3, scoredFiles.Count);
            Assert.Equal(["ReadParquet", "MapBatches(Model)", "WriteJson"], scored.Stats()!.Operators.Select(o => o.Name));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}

public sealed class Model(int factor)
{
    public RecordBatch Predict(RecordBatch batch) => Columns.Batch(("score", batch.Get<long>("Id").Select(i => i * factor).ToArray()));
}
