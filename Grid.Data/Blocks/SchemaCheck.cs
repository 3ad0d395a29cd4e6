namespace Grid.Data.Blocks;

/// <summary>
/// Schema checks of the block kernels: blocks that are concatenated must have the same columns (names, order and
/// types; nullability and metadata may differ), and key columns must exist.
/// </summary>
internal static class SchemaCheck
{
    /// <summary>Throws <see cref="SchemaMismatchException"/> naming the first column where <paramref name="other"/> differs.</summary>
    public static void RequireSame(Schema first, Schema other, int otherIndex)
    {
        int count = Math.Max(first.FieldsList.Count, other.FieldsList.Count);
        for (int i = 0; i < count; i++)
        {
            Field? a = i < first.FieldsList.Count ? first.FieldsList[i] : null;
            Field? b = i < other.FieldsList.Count ? other.FieldsList[i] : null;
            if (a is null)
                throw new SchemaMismatchException(b!.Name, $"block {otherIndex} has this column, block 0 does not (blocks concatenated must have the same columns).");
            if (b is null)
                throw new SchemaMismatchException(a.Name, $"block 0 has this column, block {otherIndex} does not (blocks concatenated must have the same columns).");
            if (a.Name != b.Name)
                throw new SchemaMismatchException(a.Name, $"block {otherIndex} has column '{b.Name}' in its place (blocks concatenated must have the same columns in the same order).");
            if (!SameType(a.DataType, b.DataType))
                throw new SchemaMismatchException(a.Name, $"it is {Describe(a.DataType)} in block 0 but {Describe(b.DataType)} in block {otherIndex}: cast the column to one type first.");
        }
    }

    /// <summary>The index of <paramref name="column"/> in <paramref name="schema"/>, else <see cref="SchemaMismatchException"/>.</summary>
    public static int Require(Schema schema, string column, string use)
    {
        int index = schema.GetFieldIndex(column);
        if (index < 0)
            throw new SchemaMismatchException(column, $"no such column to {use} (the block has {string.Join(", ", schema.FieldsList.Select(f => f.Name))}).");
        return index;
    }

    /// <summary>Equal Arrow types, parameters included (units, time zones, precision, child types; list item names ignored).</summary>
    public static bool SameType(IArrowType a, IArrowType b)
    {
        if (a.TypeId != b.TypeId)
            return false;
        return (a, b) switch
        {
            (TimestampType x, TimestampType y) => x.Unit == y.Unit && x.Timezone == y.Timezone,
            (TimeType x, TimeType y) => x.Unit == y.Unit,
            (DurationType x, DurationType y) => x.Unit == y.Unit,
            (Decimal128Type x, Decimal128Type y) => x.Precision == y.Precision && x.Scale == y.Scale,
            (Decimal256Type x, Decimal256Type y) => x.Precision == y.Precision && x.Scale == y.Scale,
            (FixedSizeBinaryType x, FixedSizeBinaryType y) => x.ByteWidth == y.ByteWidth,
            (DictionaryType x, DictionaryType y) => SameType(x.IndexType, y.IndexType) && SameType(x.ValueType, y.ValueType),
            (FixedSizeListType x, FixedSizeListType y) => x.ListSize == y.ListSize && SameType(x.ValueDataType, y.ValueDataType),
            (ListType x, ListType y) => SameType(x.ValueDataType, y.ValueDataType),
            (LargeListType x, LargeListType y) => SameType(x.ValueDataType, y.ValueDataType),
            (MapType x, MapType y) => SameType(x.KeyField.DataType, y.KeyField.DataType) && SameType(x.ValueField.DataType, y.ValueField.DataType),
            (NestedType x, NestedType y) => x.Fields.Count == y.Fields.Count
                && x.Fields.Zip(y.Fields).All(p => p.First.Name == p.Second.Name && SameType(p.First.DataType, p.Second.DataType)),
            _ => true,
        };
    }

    public static string Describe(IArrowType type) => type switch
    {
        TimestampType t => $"timestamp[{t.Unit}{(t.Timezone is null ? "" : ", " + t.Timezone)}]",
        Decimal128Type d => $"decimal128({d.Precision}, {d.Scale})",
        ListType l => $"list<{Describe(l.ValueDataType)}>",
        _ => type.Name,
    };
}
