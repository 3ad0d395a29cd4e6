namespace Grid.Data.Rows;

/// <summary>
/// <see cref="Row"/>s: every column of a block, as the CLR values <see cref="Row"/> documents. Writing takes the union
/// of the rows' columns in order of first appearance; a column's field is <c>like</c>'s when it has one (made
/// nullable when a row lacks the column or holds null in it; a type no writer builds, such as large_string, becomes
/// its CLR type's own, string), else nullable, of the type inferred from the values (<see cref="TypeMap.Infer"/>:
/// the null type when all are null).
/// </summary>
internal sealed class DynamicRowCodec : RowCodec<Row>
{
    public override Schema? Schema => null;

    public override IReadOnlyList<Row> Read(RecordBatch batch)
    {
        var fields = batch.Schema.FieldsList;
        var columns = new RowColumns(fields.Select(f => f.Name));
        var readers = new ColumnReader<object?>[fields.Count];
        for (var k = 0; k < readers.Length; k++)
        {
            readers[k] = (ColumnReader<object?>?)ColumnReaders.Create(typeof(object), batch.Column(k), NeverNull)
                ?? throw new SchemaMismatchException(fields[k].Name, $"rows cannot hold a column of type {TypeMap.Describe(fields[k].DataType)}");
        }
        var rows = new Row[batch.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var values = new object?[readers.Length];
            for (var k = 0; k < values.Length; k++) values[k] = readers[k].Get(i);
            rows[i] = new Row(columns, values);
        }
        return rows;
    }

    public override RecordBatch Write(IReadOnlyList<Row> rows, Schema? like = null)
    {
        var union = new List<string>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var layouts = new Dictionary<RowColumns, int[]>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows)
        {
            if (row is null) throw new ArgumentException("A block holds rows, not nulls.", nameof(rows));
            if (layouts.ContainsKey(row.Columns)) continue;
            layouts[row.Columns] = [];
            foreach (var name in row.Columns.Names)
            {
                if (positions.TryAdd(name, union.Count)) union.Add(name);
            }
        }
        if (rows.Count == 0 && like is not null) union.AddRange(like.FieldsList.Select(f => f.Name));
        // Each column set's layout: for each union column, its index in the row's values, or -1.
        foreach (var columns in layouts.Keys.ToList())
        {
            var layout = Enumerable.Repeat(-1, union.Count).ToArray();
            for (var j = 0; j < columns.Names.Length; j++) layout[positions[columns.Names[j]]] = j;
            layouts[columns] = layout;
        }

        var writers = union.Select(name => FieldOf(name, rows, like))
            .Select(field => ColumnWriters.Create(TypeMap.ClrTypeOf(field.DataType)!, field, rows.Count, field.Name)).ToArray();
        foreach (var row in rows)
        {
            var layout = layouts[row.Columns];
            for (var k = 0; k < writers.Length; k++) writers[k].AppendObject(layout[k] < 0 ? null : row.ValueAt(layout[k]));
        }
        return new RecordBatch(new Schema(writers.Select(w => w.Field), null), writers.Select(w => w.Build()), rows.Count);
    }

    private static Field FieldOf(string name, IReadOnlyList<Row> rows, Schema? like)
    {
        var values = rows.Select(r => r.TryGetValue(name, out var v) ? v : null);
        var given = like?.FieldsList.FirstOrDefault(f => f.Name == name);
        if (given is null) return new Field(name, TypeMap.Infer(values), true);
        if (!ColumnWriters.CanWrite(given.DataType))
        {
            var own = TypeMap.ClrTypeOf(given.DataType) is { } clr ? TypeMap.ArrowTypeOf(clr, null) : null;
            return new Field(name, own ?? TypeMap.Infer(values), true);
        }
        return given.IsNullable || values.All(v => v is not null) ? given : new Field(name, given.DataType, true, given.Metadata);
    }

    private static Exception NeverNull(int row) => new InvalidOperationException("Rows hold nulls of every column.");
}
