using Apache.Arrow;
using Apache.Arrow.Types;
using Grid.Data.Formats;

namespace Grid.Data.Tests.Formats;

/// <summary>Arrays and batches for the format tests, and batches turned into comparable text.</summary>
internal static class Data
{
    public static readonly TimestampType Micros = new(TimeUnit.Microsecond, "UTC");

    public static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 30, 15, TimeSpan.Zero);

    public static RecordBatch Batch(params (string Name, IArrowArray Array)[] columns) => new(
        new Schema(columns.Select(c => new Field(c.Name, c.Array.Data.DataType, nullable: true)), null),
        columns.Select(c => c.Array), columns[0].Array.Length);

    public static Int64Array Longs(params long?[] values) => Fill(new Int64Array.Builder(), values, (b, v) => b.Append(v), b => b.AppendNull()).Build();

    public static DoubleArray Doubles(params double?[] values) => Fill(new DoubleArray.Builder(), values, (b, v) => b.Append(v), b => b.AppendNull()).Build();

    public static BooleanArray Bools(params bool?[] values) => Fill(new BooleanArray.Builder(), values, (b, v) => b.Append(v), b => b.AppendNull()).Build();

    public static StringArray Strings(params string?[] values)
    {
        var builder = new StringArray.Builder();
        foreach (var value in values)
            if (value is null) builder.AppendNull(); else builder.Append(value);
        return builder.Build();
    }

    public static TimestampArray Timestamps(TimestampType type, params DateTimeOffset?[] values) =>
        Fill(new TimestampArray.Builder(type), values, (b, v) => b.Append(v), b => b.AppendNull()).Build();

    public static ListArray StringLists(params string?[]?[] lists)
    {
        var builder = new ListArray.Builder(StringType.Default);
        var items = (StringArray.Builder)builder.ValueBuilder;
        foreach (var list in lists)
        {
            if (list is null) { builder.AppendNull(); continue; }
            builder.Append();
            foreach (var item in list)
                if (item is null) items.AppendNull(); else items.Append(item);
        }
        return builder.Build();
    }

    public static ListArray LongLists(params long?[]?[] lists)
    {
        var builder = new ListArray.Builder(Int64Type.Default);
        var items = (Int64Array.Builder)builder.ValueBuilder;
        foreach (var list in lists)
        {
            if (list is null) { builder.AppendNull(); continue; }
            builder.Append();
            Fill(items, list, (b, v) => b.Append(v), b => b.AppendNull());
        }
        return builder.Build();
    }

    static TBuilder Fill<TBuilder, T>(TBuilder builder, T?[] values, Action<TBuilder, T> append, Action<TBuilder> appendNull) where T : struct
    {
        foreach (var value in values)
            if (value is { } v) append(builder, v); else appendNull(builder);
        return builder;
    }

    /// <summary>Names and types of a schema, e.g. "id:Int64 at:Timestamp(Microsecond,UTC) tags:List<String>".</summary>
    public static string Describe(Schema schema) => string.Join(" ", schema.FieldsList.Select(f => $"{f.Name}:{Describe(f.DataType)}"));

    static string Describe(IArrowType type) => type switch
    {
        TimestampType t => $"Timestamp({t.Unit},{t.Timezone})",
        Decimal128Type d => $"Decimal128({d.Precision},{d.Scale})",
        ListType l => $"List<{Describe(l.ValueDataType)}>",
        StructType s => $"Struct<{string.Join(",", s.Fields.Select(f => $"{f.Name}:{Describe(f.DataType)}"))}>",
        _ => type.TypeId.ToString(),
    };

    /// <summary>Every row of <paramref name="batches"/> as a JSON object (its values as the text writers see them).</summary>
    public static List<string> JsonRows(IEnumerable<RecordBatch> batches)
    {
        var rows = new List<string>();
        foreach (var batch in batches)
            for (int row = 0; row < batch.Length; row++)
                rows.Add(JsonFormat.ToJson(batch.Schema.FieldsList
                    .Select((f, c) => new KeyValuePair<string, object?>(f.Name, ArrowValues.Get(batch.Column(c), row))).ToList()));
        return rows;
    }

    /// <summary>Reads a whole file as one fragment.</summary>
    public static List<RecordBatch> ReadAll(FileFormat format, string path, IReadOnlyList<string>? columns = null, int maxRows = 1000, CsvReadOptions? csv = null) =>
        FileFormats.Read(LocalFileSystem.Instance, format, new ReadFragment(path, null, -1, 0), columns, maxRows, csv).ToList();

    public static string Write(FileFormat format, string directory, string name, params RecordBatch[] batches) =>
        FileFormats.WriteFile(LocalFileSystem.Instance, format, directory, name, batches);
}
