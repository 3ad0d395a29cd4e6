namespace Grid.Data.Blocks;

/// <summary>
/// The groups of a block's rows by key columns, found by a stable sort: group g is the rows
/// <c>Order[Starts[g] .. Starts[g + 1])</c>, in block order, and the groups are in ascending key order (nulls last;
/// a null is a key of its own, equal to other nulls). With no key columns, all rows are one group, even none.
/// </summary>
internal sealed class Groups
{
    private readonly int[] _order;
    private readonly int[] _starts;

    private Groups(int[] order, int[] starts)
    {
        _order = order;
        _starts = starts;
    }

    public int Count => _starts.Length - 1;

    public ReadOnlySpan<int> Rows(int group) => _order.AsSpan(_starts[group], _starts[group + 1] - _starts[group]);

    /// <summary>The first row of each group (where its key values are read); -1 for the empty group of no keys over no rows.</summary>
    public int[] Firsts()
    {
        var firsts = new int[Count];
        for (int g = 0; g < firsts.Length; g++)
            firsts[g] = _starts[g] < _order.Length ? _order[_starts[g]] : -1;
        return firsts;
    }

    public static Groups Of(RecordBatch block, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
            return new Groups(Enumerable.Range(0, block.Length).ToArray(), [0, block.Length]);
        var sortKeys = keys.Select(k => new SortKey(k)).ToList();
        var comparer = RowComparer.Create(block, block, sortKeys);
        var order = Sorting.SortedIndices(block.Length, comparer);
        var starts = new List<int> { 0 };
        for (int k = 1; k < order.Length; k++)
        {
            if (comparer.Compare(order[k - 1], order[k]) != 0)
                starts.Add(k);
        }
        if (order.Length > 0)
            starts.Add(order.Length);
        return new Groups(order, starts.ToArray());
    }
}
