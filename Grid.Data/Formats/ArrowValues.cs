namespace Grid.Data.Formats;

/// <summary>
/// The values of Arrow arrays as .NET objects, for the text writers (CSV, JSON lines): integers, float, double,
/// decimal, bool, string, byte[] (binary), DateTimeOffset (timestamps, UTC), DateOnly (dates), a list as
/// <c>List&lt;object?&gt;</c> and a struct as <c>List&lt;KeyValuePair&lt;string, object?&gt;&gt;</c>. Dictionary-encoded
/// columns give their decoded values.
/// </summary>
internal static class ArrowValues
{
    /// <summary>Throws <see cref="SchemaMismatchException"/> for a column whose type the text formats cannot write.</summary>
    public static void EnsureWritable(Schema schema, string format)
    {
        foreach (var field in schema.FieldsList)
            if (!IsWritable(field.DataType))
                throw new SchemaMismatchException(field.Name, $"its type {field.DataType.Name} cannot be written as {format}; cast it to a supported type (numbers, bool, string, binary, timestamp, date, decimal, lists and structs of them) first.");
    }

    static bool IsWritable(IArrowType type) => type switch
    {
        ListType list => IsWritable(list.ValueDataType),
        LargeListType list => IsWritable(list.ValueDataType),
        StructType st => st.Fields.All(f => IsWritable(f.DataType)),
        DictionaryType dictionary => IsWritable(dictionary.ValueType),
        _ => type.TypeId is ArrowTypeId.Null or ArrowTypeId.Boolean or ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
            or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64
            or ArrowTypeId.Float or ArrowTypeId.Double or ArrowTypeId.Decimal128 or ArrowTypeId.String or ArrowTypeId.LargeString
            or ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.Timestamp or ArrowTypeId.Date32 or ArrowTypeId.Date64,
    };

    /// <summary>The value at <paramref name="index"/>, null where the array has a null (types as <see cref="EnsureWritable"/> allows).</summary>
    public static object? Get(IArrowArray array, int index) => array.IsNull(index) ? null : array switch
    {
        BooleanArray a => a.GetValue(index),
        Int8Array a => a.GetValue(index),
        Int16Array a => a.GetValue(index),
        Int32Array a => a.GetValue(index),
        Int64Array a => a.GetValue(index),
        UInt8Array a => a.GetValue(index),
        UInt16Array a => a.GetValue(index),
        UInt32Array a => a.GetValue(index),
        UInt64Array a => a.GetValue(index),
        FloatArray a => a.GetValue(index),
        DoubleArray a => a.GetValue(index),
        Decimal128Array a => a.GetValue(index),
        StringArray a => a.GetString(index),
        LargeStringArray a => a.GetString(index),
        BinaryArray a => a.GetBytes(index).ToArray(),
        LargeBinaryArray a => a.GetBytes(index).ToArray(),
        TimestampArray a => a.GetTimestamp(index)!.Value.ToUniversalTime(),
        Date32Array a => a.GetDateOnly(index),
        Date64Array a => a.GetDateOnly(index),
        ListArray a => Items(a.GetSlicedValues(index)),
        LargeListArray a => Items(a.GetSlicedValues(index)),
        StructArray a => Members(a, index),
        DictionaryArray a => Get(a.Dictionary, Convert.ToInt32(Get(a.Indices, index))),
        _ => throw new NotSupportedException($"Arrow type {array.Data.DataType.Name} is not supported here."),
    };

    static List<object?> Items(IArrowArray values)
    {
        var items = new List<object?>(values.Length);
        for (int i = 0; i < values.Length; i++)
            items.Add(Get(values, i));
        return items;
    }

    static List<KeyValuePair<string, object?>> Members(StructArray array, int index)
    {
        var type = (StructType)array.Data.DataType;
        var members = new List<KeyValuePair<string, object?>>(type.Fields.Count);
        for (int f = 0; f < type.Fields.Count; f++)
            members.Add(new(type.Fields[f].Name, Get(array.Fields[f], index)));
        return members;
    }
}
