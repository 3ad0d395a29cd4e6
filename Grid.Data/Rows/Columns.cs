namespace Grid.Data;

// CONTRACT STUB (helper "rows" fills it in).

/// <summary>Typed column arrays of a batch (Ray's numpy batch format): read a column as T[], build a batch from arrays.</summary>
public static class Columns
{
    /// <summary>
    /// The values of <paramref name="column"/> as a T[] (T = long, int, double, float, bool, string, DateTime, byte[] …,
    /// or their nullable forms for columns with nulls). <see cref="SchemaMismatchException"/> when the column is missing
    /// or of another type, or holds nulls and T is not nullable.
    /// </summary>
    public static T[] Get<T>(this RecordBatch batch, string column) => throw new NotImplementedException();

    /// <summary>A batch of the given columns (arrays of equal length, element types as in <see cref="Get{T}"/>).</summary>
    public static RecordBatch Batch(params (string Name, System.Array Values)[] columns) => throw new NotImplementedException();
}
