using Apache.Arrow;
using Grid.Data;

namespace Grid.Samples.Data;

/// <summary>A row of a little over 200 bytes in a block: an id and a 200-character text made from it.</summary>
public sealed record Padded(long Id, string Text)
{
    /// <summary>Bytes of a row's text (ASCII): a row takes a little more in a block (8 of id, 4 of string offset).</summary>
    public const int TextBytes = 200;

    public static Padded Of(IdRow row) => new(row.Id, string.Concat(Enumerable.Repeat(row.Id.ToString("D20"), 10)));
}

/// <summary>The over-capacity pipeline's actor: checks each text against its id and passes the batch on.</summary>
public sealed class PaddingChecker
{
    public RecordBatch Check(RecordBatch batch)
    {
        var ids = batch.Get<long>(nameof(Padded.Id));
        var texts = batch.Get<string>(nameof(Padded.Text));
        for (int i = 0; i < ids.Length; i++)
            if (!texts[i].StartsWith(ids[i].ToString("D20"), StringComparison.Ordinal)) throw new InvalidDataException($"row {ids[i]} has another row's text");
        return batch;
    }
}

/// <summary>
/// A dataset larger than the object store, run within a memory budget: generated rows of ~200-byte texts, a filter
/// that drops every tenth, an actor pool that checks them, a Parquet write. Every block passes through the store (from
/// the read tasks to the actors and on to the write tasks) and is freed once consumed, so the store holds about the
/// budget however large the dataset is.
/// </summary>
public static class OverCapacity
{
    /// <summary>Rows whose kept nine tenths make at least <paramref name="bytes"/> bytes of blocks (the blocks that pass through the store).</summary>
    public static long RowsFor(long bytes) => bytes / Padded.TextBytes * 10 / 9 + 1_000;

    /// <summary>The rows the pipeline keeps of <paramref name="rows"/> (ids that are not multiples of 10).</summary>
    public static long Kept(long rows) => rows - (rows + 9) / 10;

    private static bool NotTenth(Padded p) => p.Id % 10 != 0;

    /// <summary>The pipeline over <paramref name="rows"/> rows with a memory budget of <paramref name="budgetBytes"/>; write it to run it.</summary>
    public static Dataset Pipeline(GridClient grid, long rows, long budgetBytes) =>
        grid.Range(rows, blocks: (int)Math.Max(1, rows / 4_096))
            .Map<IdRow, Padded>(Padded.Of)
            .Filter<Padded>(NotTenth)
            .MapBatches(() => new PaddingChecker(), static (PaddingChecker c, RecordBatch b) => c.Check(b), new ActorPoolOptions { MaxSize = 2, NumCpus = 0.5 })
            .WithOptions(o => o with { MemoryBudgetBytes = budgetBytes });
}
