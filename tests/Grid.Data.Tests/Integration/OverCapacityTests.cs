using Apache.Arrow;
using Grid.Testing;

namespace Grid.Data.Tests.Integration;

/// <summary>A row of about 216 bytes: an id and a 200-character text made from it.</summary>
public sealed record Padded(long Id, string Text)
{
    public static Padded Of(IdOnly row) => new(row.Id, string.Concat(Enumerable.Repeat(row.Id.ToString("D20"), 10)));
}

/// <summary>The rows <see cref="GridData.Range"/> makes (column "id").</summary>
public sealed record IdOnly([property: Column("id")] long Id);

/// <summary>The actor of the over-capacity pipeline: checks each text against its id and passes the batch on.</summary>
public sealed class PaddingChecker
{
    public RecordBatch Check(RecordBatch batch)
    {
        var ids = batch.Get<long>("Id");
        var texts = batch.Get<string>("Text");
        for (int i = 0; i < ids.Length; i++)
            if (!texts[i].StartsWith(ids[i].ToString("D20"), StringComparison.Ordinal)) throw new InvalidDataException($"row {ids[i]} has another row's text");
        return batch;
    }
}

/// <summary>
/// A dataset five times the object store's capacity runs through an embedded grid with a memory budget of half the
/// store: every row is written, and the store's use never passes the budget (blocks go through the store from the
/// read tasks to the actor pool and on to the write tasks, and are freed as they are consumed).
/// </summary>
public sealed class OverCapacityTests : IAsyncLifetime
{
    private const long Capacity = 16L << 20;
    private const long Budget = Capacity / 2;
    private const int RowBytes = 216;
    private const long Rows = 5 * Capacity / RowBytes + 1_000;

    private readonly TempFolder _folder = new();
    private GridClient _grid = null!;

    public async Task InitializeAsync() =>
        _grid = await GridClient.StartLocalAsync(node => node.NumCpus = 4, store => store.CapacityBytes = Capacity);

    [Fact]
    public async Task A_dataset_five_times_the_store_runs_within_the_budget()
    {
        var store = StoreGauge.Of(_grid);
        Assert.Equal(Capacity, store.CapacityBytes);
        var ds = _grid.Range(Rows, blocks: 100) // blocks of about 0.9 MB
            .Map<IdOnly, Padded>(Padded.Of)
            .Filter(static (Padded p) => p.Id % 10 != 0)
            .MapBatches(() => new PaddingChecker(), static (PaddingChecker c, RecordBatch b) => c.Check(b), new ActorPoolOptions { MaxSize = 2, NumCpus = 0.5 })
            .WithOptions(o => o with { MemoryBudgetBytes = Budget });

        store.ResetPeak();
        var files = await ds.WriteParquetAsync(_folder.Path);
        long peak = store.PeakUsedBytes;

        var stats = Assert.IsType<DatasetStats>(ds.Stats());
        var mapped = Assert.Single(stats.Operators, o => o.Name.StartsWith("Map(", StringComparison.Ordinal));
        Assert.True(mapped.Bytes >= 5 * Capacity, $"the map made {mapped.Bytes} bytes of blocks, not five times the store's {Capacity}");
        Assert.NotEmpty(files);
        Assert.Equal(Rows - (Rows + 9) / 10, await _grid.ReadParquet(_folder.Path).CountAsync());
        Assert.True(peak <= Budget, $"the store's peak use was {peak} bytes, over the budget of {Budget}");
    }

    public async Task DisposeAsync()
    {
        if (_grid is not null) await _grid.DisposeAsync();
        _folder.Dispose();
    }
}
