using System.Diagnostics.CodeAnalysis;
using System.Text;
using Grid.Data.Rows;

namespace Grid.Data;

/// <summary>
/// A dynamic row: column name to value, in the block's column order (Ray's dict rows). Values are the CLR value of
/// the column's Arrow type: long/int/short/sbyte and unsigned, double/float, bool, string, byte[], DateTime (UTC,
/// timestamps and date64), DateOnly (date32), decimal, IReadOnlyList&lt;object?&gt; (lists), Row (structs); null for nulls.
/// Immutable; two rows are equal when they have the same columns (in any order) with equal values (lists and byte
/// arrays element by element).
/// </summary>
public sealed class Row : IReadOnlyDictionary<string, object?>, IEquatable<Row>
{
    private readonly RowColumns columns;
    private readonly object?[] values;

    /// <summary>A row of <paramref name="columns"/> (distinct names) and their <paramref name="values"/> (as many, kept, not copied).</summary>
    public Row(IReadOnlyList<string> columns, object?[] values) : this(new RowColumns(columns), values) { }

    /// <summary>A row over a column set shared with other rows (those of one batch share one).</summary>
    internal Row(RowColumns columns, object?[] values)
    {
        if (columns.Names.Length != values.Length)
            throw new ArgumentException($"A row of {columns.Names.Length} columns was given {values.Length} values.", nameof(values));
        this.columns = columns;
        this.values = values;
    }

    internal RowColumns Columns => columns;

    internal object? ValueAt(int index) => values[index];

    /// <summary>The value of <paramref name="column"/>; <see cref="SchemaMismatchException"/> when the row has no such column.</summary>
    public object? this[string column] => values[IndexOf(column)];

    /// <summary>The value of <paramref name="column"/> converted to <typeparamref name="T"/> (numeric widening allowed).</summary>
    /// <remarks>
    /// Numbers convert to other numbers when the value fits, DateTime/DateTimeOffset/DateOnly to each other, lists to
    /// T[], List&lt;T&gt; or IReadOnlyList&lt;T&gt; element by element. Null gives null (default) for reference and
    /// nullable types and <see cref="SchemaMismatchException"/> for other value types, as does a value of another kind.
    /// </remarks>
    public T Get<T>(string column) => RowValues.Convert<T>(values[IndexOf(column)], column);

    /// <summary>A copy with <paramref name="column"/> set (added at the end when new).</summary>
    public Row With(string column, object? value)
    {
        var index = columns.IndexOf(column);
        var copy = new object?[index < 0 ? values.Length + 1 : values.Length];
        values.CopyTo(copy, 0);
        copy[index < 0 ? values.Length : index] = value;
        return new Row(index < 0 ? columns.Add(column) : columns, copy);
    }

    public IEnumerable<string> Keys => columns.Names;
    public IEnumerable<object?> Values => values;
    public int Count => values.Length;
    public bool ContainsKey(string key) => columns.IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var index = columns.IndexOf(key);
        value = index < 0 ? null : values[index];
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < values.Length; i++) yield return new(columns.Names[i], values[i]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Row? other)
    {
        if (other is null || other.Count != Count) return false;
        for (var i = 0; i < values.Length; i++)
        {
            if (!other.TryGetValue(columns.Names[i], out var value) || !RowValues.ValueEquals(values[i], value)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is Row other && Equals(other);

    /// <summary>Independent of the column order, as <see cref="Equals(Row?)"/> is.</summary>
    public override int GetHashCode()
    {
        var hash = 0;
        for (var i = 0; i < values.Length; i++) hash += HashCode.Combine(columns.Names[i], RowValues.ValueHash(values[i]));
        return hash;
    }

    /// <summary>The row as <c>{id: 1, text: "a", tags: ["x"], at: 2024-01-01T00:00:00.0000000Z}</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < values.Length; i++)
            text.Append(i == 0 ? "" : ", ").Append(columns.Names[i]).Append(": ").Append(RowValues.Format(values[i]));
        return text.Append('}').ToString();
    }

    private int IndexOf(string column)
    {
        var index = columns.IndexOf(column);
        return index >= 0 ? index
            : throw new SchemaMismatchException(column, $"the row has no such column; its columns are {RowValues.List(columns.Names)}");
    }
}

/// <summary>Maps a record's property to a column of another name.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ColumnAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
