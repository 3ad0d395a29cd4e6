using Grid.Data.Rows;

namespace Grid.Data;

/// <summary>Typed column arrays of a batch (Ray's numpy batch format): read a column as T[], build a batch from arrays.</summary>
public static class Columns
{
    /// <summary>
    /// The values of <paramref name="column"/> as a T[] (T = long, int, double, float, bool, string, DateTime, byte[] …,
    /// or their nullable forms for columns with nulls). <see cref="SchemaMismatchException"/> when the column is missing
    /// or of another type, or holds nulls and T is not nullable.
    /// </summary>
    /// <remarks>The column types T accepts are those a record property of type T reads (safe numeric widening included).
    /// Nulls read as null into strings, byte arrays and lists.</remarks>
    public static T[] Get<T>(this RecordBatch batch, string column)
    {
        var array = RowCodecs.FindColumn(batch, column)
            ?? throw new SchemaMismatchException(column, $"the batch has no such column; its columns are {RowCodecs.ColumnsOf(batch)}");
        var reader = (ColumnReader<T>?)ColumnReaders.Create(typeof(T), array, row => new SchemaMismatchException(column,
                $"row {row} is null but {TypeMap.Describe(typeof(T))} is not nullable: get {TypeMap.Describe(typeof(T))}? values"))
            ?? throw new SchemaMismatchException(column, $"{TypeMap.Describe(typeof(T))} values were asked for but the column is {TypeMap.Describe(array.Data.DataType)}");
        var values = new T[array.Length];
        for (var i = 0; i < values.Length; i++) values[i] = reader.Get(i);
        return values;
    }

    /// <summary>A batch of the given columns (arrays of equal length, element types as in <see cref="Get{T}"/>).</summary>
    /// <remarks>Nullable value types and reference types make nullable columns, their nulls null values.</remarks>
    public static RecordBatch Batch(params (string Name, System.Array Values)[] columns)
    {
        var length = columns.Length == 0 ? 0 : columns[0].Values.Length;
        var arrays = new IArrowArray[columns.Length];
        var fields = new Field[columns.Length];
        for (var k = 0; k < columns.Length; k++)
        {
            var (name, values) = columns[k];
            if (values.Length != length)
                throw new ArgumentException($"Column '{name}' has {values.Length} values but '{columns[0].Name}' has {length}: a batch's columns are equally long.", nameof(columns));
            var element = values.GetType().GetElementType()!;
            var type = values.Rank == 1 ? TypeMap.ArrowTypeOf(element, null) : null;
            if (type is null)
                throw new ArgumentException($"Column '{name}' is a {TypeMap.Describe(values.GetType())}, which has no column type; columns hold {TypeMap.SupportedTypes}.", nameof(columns));
            fields[k] = new Field(name, type, TypeMap.IsNullable(element, null));
            var writer = ColumnWriters.Create(element, fields[k], length, name);
            // A writer of lists takes IReadOnlyList<T>[]: a long[][] or List<long>[] is one by array covariance.
            writer.AppendAll(values);
            arrays[k] = writer.Build();
        }
        return new RecordBatch(new Schema(fields, null), arrays, length);
    }
}
