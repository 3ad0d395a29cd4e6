using System.Diagnostics.CodeAnalysis;

namespace Grid.Data;

// CONTRACT STUB (helper "rows" fills it in).

/// <summary>
/// A dynamic row: column name to value, in the block's column order (Ray's dict rows). Values are the CLR value of
/// the column's Arrow type: long/int/short/sbyte and unsigned, double/float, bool, string, byte[], DateTime (UTC,
/// timestamps and date64), DateOnly (date32), decimal, IReadOnlyList&lt;object?&gt; (lists), Row (structs); null for nulls.
/// </summary>
public sealed class Row : IReadOnlyDictionary<string, object?>
{
    public Row(IReadOnlyList<string> columns, object?[] values) => throw new NotImplementedException();

    /// <summary>The value of <paramref name="column"/>; <see cref="SchemaMismatchException"/> when the row has no such column.</summary>
    public object? this[string column] => throw new NotImplementedException();

    /// <summary>The value of <paramref name="column"/> converted to <typeparamref name="T"/> (numeric widening allowed).</summary>
    public T Get<T>(string column) => throw new NotImplementedException();

    /// <summary>A copy with <paramref name="column"/> set (added at the end when new).</summary>
    public Row With(string column, object? value) => throw new NotImplementedException();

    public IEnumerable<string> Keys => throw new NotImplementedException();
    public IEnumerable<object?> Values => throw new NotImplementedException();
    public int Count => throw new NotImplementedException();
    public bool ContainsKey(string key) => throw new NotImplementedException();
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => throw new NotImplementedException();
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => throw new NotImplementedException();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Maps a record's property to a column of another name.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ColumnAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
