namespace Grid.Data.Rows;

// CONTRACT STUB (helper "rows" fills it in).

/// <summary>
/// Converts between a block (an Arrow record batch) and rows of <typeparamref name="T"/>: a class or record whose
/// public properties (or primary constructor parameters) map to columns by name (<see cref="ColumnAttribute"/>
/// renames), or <see cref="Row"/> (every column). Compiled once per type; no reflection per row.
/// </summary>
internal abstract class RowCodec<T>
{
    /// <summary>The schema rows of T write; null for <see cref="Row"/> (inferred from the values, see <see cref="Write"/>).</summary>
    public abstract Schema? Schema { get; }

    /// <summary>
    /// The rows of <paramref name="batch"/>, in order. Columns T has no property for are ignored; a property with no
    /// column, or a column of a type the property cannot take, throws <see cref="SchemaMismatchException"/> naming it
    /// and both types.
    /// </summary>
    public abstract IReadOnlyList<T> Read(RecordBatch batch);

    /// <summary>
    /// A block of <paramref name="rows"/>. For <see cref="Row"/>, the schema is <paramref name="like"/>'s for columns it
    /// has and is inferred from the first non-null value otherwise (all-null columns: a null-typed column; rows with
    /// different column sets: the union, in order of first appearance, missing values null).
    /// </summary>
    public abstract RecordBatch Write(IReadOnlyList<T> rows, Schema? like = null);
}

internal static class RowCodecs
{
    /// <summary>The codec of T, built on first use and cached.</summary>
    public static RowCodec<T> For<T>() => throw new NotImplementedException();

    /// <summary>The Arrow schema rows of <paramref name="rowType"/> make (schema inference for Dataset.Schema before running).</summary>
    public static Schema? SchemaOf(Type rowType) => throw new NotImplementedException();
}
