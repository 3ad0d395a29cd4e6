namespace Grid.Data;

/// <summary>A sort key: a column and its direction.</summary>
public sealed record SortKey(string Column, bool Descending = false);

/// <summary>
/// An aggregate of <c>GroupBy(...).Aggregate(...)</c> (Ray's AggregateFn): <see cref="Count"/>, <see cref="Sum"/>,
/// <see cref="Min"/>, <see cref="Max"/>, <see cref="Mean"/>, <see cref="Std"/>. Its result column is <see cref="Name"/>,
/// as Ray names them: "count()", "sum(x)", "min(x)", "max(x)", "mean(x)", "std(x)". Nulls are skipped.
/// </summary>
public sealed record AggregateFn(AggregateKind Kind, string? Column)
{
    public static AggregateFn Count() => new(AggregateKind.Count, null);
    public static AggregateFn Sum(string column) => new(AggregateKind.Sum, column);
    public static AggregateFn Min(string column) => new(AggregateKind.Min, column);
    public static AggregateFn Max(string column) => new(AggregateKind.Max, column);
    public static AggregateFn Mean(string column) => new(AggregateKind.Mean, column);
    public static AggregateFn Std(string column) => new(AggregateKind.Std, column);

    /// <summary>The result column's name.</summary>
    public string Name => Kind == AggregateKind.Count ? "count()" : $"{Kind.ToString().ToLowerInvariant()}({Column})";
}

public enum AggregateKind { Count, Sum, Min, Max, Mean, Std }
