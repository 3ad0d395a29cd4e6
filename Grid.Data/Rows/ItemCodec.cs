namespace Grid.Data.Rows;

/// <summary>
/// Rows that are single values (a number, string, DateTime, list …): one column named "item", Ray's name for the
/// items of <c>from_items</c> that are not dicts. Reading a block of one column takes that column whatever its name;
/// a block of several takes "item".
/// </summary>
internal sealed class ItemCodec<T> : RowCodec<T>
{
    private const string Column = "item";
    private readonly Field field;
    private readonly PropertyWriter<T> writer;

    public ItemCodec()
    {
        // No nullable annotation reaches a type argument: reference types are nullable, as Nullable<T> is.
        field = new Field(Column, TypeMap.ArrowTypeOf(typeof(T), null)!, TypeMap.IsNullable(typeof(T), null));
        Schema = new Schema([field], null);
        writer = PropertyWriters.Create<T>(field, typeof(T), row => row);
    }

    public override Schema Schema { get; }

    public override IReadOnlyList<T> Read(RecordBatch batch)
    {
        var array = batch.ColumnCount == 1 ? batch.Column(0) : RowCodecs.FindColumn(batch, Column) ?? throw new SchemaMismatchException(Column,
            $"{TypeMap.Describe(typeof(T))} items are read from a block's only column or from its column \"item\"; its columns are {RowCodecs.ColumnsOf(batch)}");
        var name = batch.ColumnCount == 1 ? batch.Schema.FieldsList[0].Name : Column;
        var reader = (ColumnReader<T>?)ColumnReaders.Create(typeof(T), array, row => new SchemaMismatchException(name,
                $"row {row} is null but {TypeMap.Describe(typeof(T))} is not nullable: read {TypeMap.Describe(typeof(T))}? items"))
            ?? throw new SchemaMismatchException(name, $"the items are {TypeMap.Describe(typeof(T))} but the column is {TypeMap.Describe(array.Data.DataType)}");
        var items = new T[batch.Length];
        for (var i = 0; i < items.Length; i++) items[i] = reader.Get(i);
        return items;
    }

    /// <summary>A block of one column "item"; <paramref name="like"/> is not used (T decides).</summary>
    public override RecordBatch Write(IReadOnlyList<T> rows, Schema? like = null) => new(Schema, [writer.Write(rows)], rows.Count);
}
