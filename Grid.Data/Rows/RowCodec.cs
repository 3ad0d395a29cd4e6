using System.Collections.Concurrent;
using System.Reflection;

namespace Grid.Data.Rows;

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
    private static readonly ConcurrentDictionary<Type, Schema?> Schemas = new();

    /// <summary>The codec of T, built on first use and cached.</summary>
    /// <remarks>
    /// <see cref="Row"/>: dynamic rows. A type with a column type of its own (a number, string, DateTime, a list of
    /// them …): one column named "item". Any other type: a record whose public readable properties are the columns.
    /// A record with a property of a type that has no column throws <see cref="SchemaMismatchException"/> naming it.
    /// </remarks>
    public static RowCodec<T> For<T>() => Cache<T>.Codec ??= Build<T>();

    /// <summary>The Arrow schema rows of <paramref name="rowType"/> make (schema inference for Dataset.Schema before running).</summary>
    public static Schema? SchemaOf(Type rowType) => Schemas.GetOrAdd(rowType, static type =>
    {
        try
        {
            var codec = typeof(RowCodecs).GetMethod(nameof(For))!.MakeGenericMethod(type).Invoke(null, null)!;
            return (Schema?)codec.GetType().GetProperty(nameof(RowCodec<object>.Schema))!.GetValue(codec);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The codec's own error (a property of a type with no column), not reflection's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    });

    private static RowCodec<T> Build<T>()
    {
        if (typeof(T) == typeof(Row)) return (RowCodec<T>)(object)new DynamicRowCodec();
        if (TypeMap.IsColumnType(typeof(T))) return new ItemCodec<T>();
        return new RecordCodec<T>();
    }

    // A benign race builds a codec twice at worst; both are equivalent.
    private static class Cache<T>
    {
        public static RowCodec<T>? Codec;
    }

    /// <summary>The array of <paramref name="column"/> in <paramref name="batch"/>: the exact name, else the only one that
    /// differs in case only (CSV headers in lower case, C# properties in Pascal case); null when none.</summary>
    public static IArrowArray? FindColumn(RecordBatch batch, string column)
    {
        var fields = batch.Schema.FieldsList;
        int index = -1, caseless = -1, caselessCount = 0;
        for (var i = 0; i < fields.Count && index < 0; i++)
        {
            if (string.Equals(fields[i].Name, column, StringComparison.Ordinal)) index = i;
            else if (string.Equals(fields[i].Name, column, StringComparison.OrdinalIgnoreCase) && caselessCount++ == 0) caseless = i;
        }
        if (index < 0 && caselessCount == 1) index = caseless;
        return index < 0 ? null : batch.Column(index);
    }

    /// <summary>The block's column names, for messages.</summary>
    public static string ColumnsOf(RecordBatch batch) => RowValues.List(batch.Schema.FieldsList.Select(f => f.Name));
}
