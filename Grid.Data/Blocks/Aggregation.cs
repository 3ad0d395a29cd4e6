namespace Grid.Data.Blocks;

/// <summary>
/// Group-by aggregation in two phases: each block is reduced to one row per group holding the aggregates' partial
/// states (<see cref="Partial"/>), the partials of one hash partition are merged and finished (<see cref="Final"/>).
/// </summary>
/// <remarks>
/// Groups: equal values of the key columns (any sortable type: numbers, bool, temporal, decimal, string, binary);
/// null is a key of its own. No key columns: one group of all rows (a global aggregate, one row even over no rows).
/// Each aggregate's state columns are named "&lt;name&gt;#&lt;part&gt;" (e.g. "sum(x)#sum", "mean(x)#count",
/// "std(x)#m2"); see <see cref="AggregateStates"/> for each kind's states and result type.
/// </remarks>
internal static class Aggregation
{
    /// <summary>One row per distinct key of <paramref name="block"/>: the key columns, then each aggregate's state columns.</summary>
    public static RecordBatch Partial(RecordBatch block, IReadOnlyList<string> keys, IReadOnlyList<AggregateFn> aggregates)
    {
        var groups = Groups.Of(block, keys);
        var columns = KeyColumns(block, keys, groups);
        foreach (var aggregate in aggregates)
            columns.AddRange(AggregateStates.Partial(block, groups, aggregate));
        return Build(columns, groups.Count);
    }

    /// <summary>One row per key over all partials: the key columns, then one column per aggregate named <see cref="AggregateFn.Name"/>; sorted by key.</summary>
    /// <remarks>Sorted ascending by the keys in turn, nulls last. At least one partial (an empty one gives the schema).</remarks>
    public static RecordBatch Final(IReadOnlyList<RecordBatch> partials, IReadOnlyList<string> keys, IReadOnlyList<AggregateFn> aggregates)
    {
        var all = BlockOps.Concat(partials);
        var groups = Groups.Of(all, keys);
        var columns = KeyColumns(all, keys, groups);
        foreach (var aggregate in aggregates)
            columns.Add(AggregateStates.Final(all, groups, aggregate));
        return Build(columns, groups.Count);
    }

    private static List<(Field Field, IArrowArray Array)> KeyColumns(RecordBatch block, IReadOnlyList<string> keys, Groups groups)
    {
        var firsts = groups.Firsts();
        return keys.Select(key =>
        {
            int index = SchemaCheck.Require(block.Schema, key, "group by");
            return (block.Schema.FieldsList[index], ArrowArrayFactory.BuildArray(Gather.Take(block.Column(index).Data, firsts)));
        }).ToList();
    }

    private static RecordBatch Build(List<(Field Field, IArrowArray Array)> columns, int length) =>
        new(new Schema(columns.Select(c => c.Field), null), columns.Select(c => c.Array), length);
}
