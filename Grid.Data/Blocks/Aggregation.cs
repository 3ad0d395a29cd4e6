namespace Grid.Data.Blocks;

// CONTRACT STUB (helper "blocks" fills it in).

/// <summary>
/// Group-by aggregation in two phases: each block is reduced to one row per group holding the aggregates' partial
/// states (<see cref="Partial"/>), the partials of one hash partition are merged and finished (<see cref="Final"/>).
/// </summary>
internal static class Aggregation
{
    /// <summary>One row per distinct key of <paramref name="block"/>: the key columns, then each aggregate's state columns.</summary>
    public static RecordBatch Partial(RecordBatch block, IReadOnlyList<string> keys, IReadOnlyList<AggregateFn> aggregates) => throw new NotImplementedException();

    /// <summary>One row per key over all partials: the key columns, then one column per aggregate named <see cref="AggregateFn.Name"/>; sorted by key.</summary>
    public static RecordBatch Final(IReadOnlyList<RecordBatch> partials, IReadOnlyList<string> keys, IReadOnlyList<AggregateFn> aggregates) => throw new NotImplementedException();
}
