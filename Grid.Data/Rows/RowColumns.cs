namespace Grid.Data.Rows;

/// <summary>
/// The column names of rows, shared by every row of one batch so that a row costs only its values array. Looks a
/// name up by a linear scan for a few columns and by a dictionary (built on first need) for more.
/// </summary>
internal sealed class RowColumns
{
    private const int ScanLimit = 8;
    private Dictionary<string, int>? index;

    public RowColumns(IEnumerable<string> names)
    {
        Names = names.ToArray();
        if (Names.Length > ScanLimit) index = BuildIndex();
        else if (Names.Distinct(StringComparer.Ordinal).Count() != Names.Length) BuildIndex();
    }

    public string[] Names { get; }

    /// <summary>The position of <paramref name="column"/>, or -1.</summary>
    public int IndexOf(string column)
    {
        if (index is not null) return index.TryGetValue(column, out var i) ? i : -1;
        for (var i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], column, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>These columns and <paramref name="column"/> after them.</summary>
    public RowColumns Add(string column) => new(Names.Append(column));

    private Dictionary<string, int> BuildIndex()
    {
        var map = new Dictionary<string, int>(Names.Length, StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
        {
            if (!map.TryAdd(Names[i], i)) throw new ArgumentException($"A row has the column '{Names[i]}' twice.");
        }
        return map;
    }
}
