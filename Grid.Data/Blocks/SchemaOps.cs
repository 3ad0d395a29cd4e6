namespace Grid.Data.Blocks;

/// <summary>Column-level changes of a block: select, drop, rename, add. They share the column arrays (no copy).</summary>
internal static class SchemaOps
{
    public static RecordBatch Select(RecordBatch block, IReadOnlyList<string> columns)
    {
        var fields = new List<Field>(columns.Count);
        var arrays = new List<IArrowArray>(columns.Count);
        foreach (var name in columns)
        {
            int index = IndexOf(block, name);
            fields.Add(block.Schema.GetFieldByIndex(index));
            arrays.Add(block.Column(index));
        }
        return new RecordBatch(new Schema(fields, block.Schema.Metadata), arrays, block.Length);
    }

    public static RecordBatch Drop(RecordBatch block, IReadOnlyList<string> columns)
    {
        foreach (var name in columns) IndexOf(block, name);
        return Select(block, [.. block.Schema.FieldsList.Select(f => f.Name).Where(n => !columns.Contains(n))]);
    }

    /// <summary>Renames pairs (old, new) given as [old0, new0, old1, new1, …].</summary>
    public static RecordBatch Rename(RecordBatch block, IReadOnlyList<string> pairs)
    {
        var names = block.Schema.FieldsList.Select(f => f.Name).ToArray();
        for (int i = 0; i + 1 < pairs.Count; i += 2) names[IndexOf(block, pairs[i])] = pairs[i + 1];
        var fields = block.Schema.FieldsList.Select((f, i) => new Field(names[i], f.DataType, f.IsNullable, f.Metadata));
        return new RecordBatch(new Schema(fields, block.Schema.Metadata), Enumerable.Range(0, block.ColumnCount).Select(block.Column), block.Length);
    }

    /// <summary>The block with <paramref name="field"/> appended, or replacing the column of that name.</summary>
    public static RecordBatch WithColumn(RecordBatch block, Field field, IArrowArray values)
    {
        var fields = block.Schema.FieldsList.ToList();
        var arrays = Enumerable.Range(0, block.ColumnCount).Select(block.Column).ToList();
        int existing = block.Schema.GetFieldIndex(field.Name);
        if (existing >= 0)
        {
            fields[existing] = field;
            arrays[existing] = values;
        }
        else
        {
            fields.Add(field);
            arrays.Add(values);
        }
        return new RecordBatch(new Schema(fields, block.Schema.Metadata), arrays, block.Length);
    }

    public static int IndexOf(RecordBatch block, string column)
    {
        int index = block.Schema.GetFieldIndex(column);
        return index >= 0 ? index : throw new SchemaMismatchException(column,
            $"no such column; the block's columns are {string.Join(", ", block.Schema.FieldsList.Select(f => f.Name))}.");
    }
}
