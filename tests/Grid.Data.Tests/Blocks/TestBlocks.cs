using Apache.Arrow;
using Apache.Arrow.Types;

namespace Grid.Data.Tests.Blocks;

/// <summary>A row of the test blocks: a unique id (its position in the generated data), keys and values with nulls.</summary>
public sealed record Rec(long Id, int? A, string? S, double? D, int? N);

/// <summary>Random test blocks (fixed seeds) and readers of their rows back, for comparing kernels with LINQ.</summary>
internal static class TestBlocks
{
    private static readonly string[] Words = ["apple", "Apple", "banana", "b", "", "zeta", "été", "Zürich", "ab", "abc"];

    /// <summary>
    /// <paramref name="count"/> rows: A in [0, 8) and S from a few words (both ~10 % null, so keys repeat), D a double
    /// (~15 % null; every D of the rows with A = 7 is null, a group of nulls only), N an int (~10 % null).
    /// </summary>
    public static List<Rec> Rows(int count, int seed, long firstId = 0)
    {
        var random = new Random(seed);
        var rows = new List<Rec>(count);
        for (int i = 0; i < count; i++)
        {
            int? a = random.Next(10) == 0 ? null : random.Next(8);
            string? s = random.Next(10) == 0 ? null : Words[random.Next(Words.Length)];
            double? d = a == 7 || random.Next(7) == 0 ? null : Math.Round(random.NextDouble() * 200 - 100, 3);
            int? n = random.Next(10) == 0 ? null : random.Next(-1000, 1000);
            rows.Add(new Rec(firstId + i, a, s, d, n));
        }
        return rows;
    }

    public static RecordBatch Batch(IReadOnlyList<Rec> rows)
    {
        var id = new Int64Array.Builder();
        var a = new Int32Array.Builder();
        var s = new StringArray.Builder();
        var d = new DoubleArray.Builder();
        var n = new Int32Array.Builder();
        foreach (var row in rows)
        {
            id.Append(row.Id);
            a.Append(row.A);
            if (row.S is null) s.AppendNull(); else s.Append(row.S);
            d.Append(row.D);
            n.Append(row.N);
        }
        var schema = new Schema.Builder()
            .Field(f => f.Name("Id").DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name("A").DataType(Int32Type.Default))
            .Field(f => f.Name("S").DataType(StringType.Default))
            .Field(f => f.Name("D").DataType(DoubleType.Default))
            .Field(f => f.Name("N").DataType(Int32Type.Default))
            .Build();
        return new RecordBatch(schema, [id.Build(), a.Build(), s.Build(), d.Build(), n.Build()], rows.Count);
    }

    public static List<Rec> Read(RecordBatch batch)
    {
        var id = (Int64Array)batch.Column("Id");
        var a = (Int32Array)batch.Column("A");
        var s = (StringArray)batch.Column("S");
        var d = (DoubleArray)batch.Column("D");
        var n = (Int32Array)batch.Column("N");
        return Enumerable.Range(0, batch.Length)
            .Select(i => new Rec(id.GetValue(i)!.Value, a.GetValue(i), s.GetString(i), d.GetValue(i), n.GetValue(i)))
            .ToList();
    }

    public static List<long> Ids(RecordBatch batch) => Read(batch).Select(r => r.Id).ToList();

    /// <summary>Splits rows into blocks of random sizes (some empty).</summary>
    public static List<RecordBatch> Blocks(IReadOnlyList<Rec> rows, int seed)
    {
        var random = new Random(seed);
        var blocks = new List<RecordBatch>();
        for (int start = 0; start < rows.Count;)
        {
            int size = Math.Min(rows.Count - start, random.Next(0, rows.Count / 3 + 2));
            blocks.Add(Batch(rows.Skip(start).Take(size).ToList()));
            start += size;
        }
        return blocks;
    }

    /// <summary>
    /// Element <paramref name="i"/> of any array as text (fixed-width values as their bytes), read through Arrow's
    /// own accessors and offsets: two elements render equal exactly when they are equal.
    /// </summary>
    public static string Render(IArrowArray array, int i)
    {
        if (array is NullArray || array.IsNull(i))
            return "null";
        ArrayData data = array.Data;
        switch (array)
        {
            case BooleanArray b:
                return b.GetValue(i)!.Value ? "true" : "false";
            case StringArray s:
                return "\"" + s.GetString(i) + "\"";
            case BinaryArray b:
                return "0x" + Convert.ToHexString(b.GetBytes(i));
            case ListArray l:
                return "[" + string.Join(",", Enumerable.Range(l.ValueOffsets[i], l.ValueOffsets[i + 1] - l.ValueOffsets[i]).Select(k => Render(l.Values, k))) + "]";
            case FixedSizeListArray f:
            {
                int size = ((FixedSizeListType)f.Data.DataType).ListSize;
                var values = ArrowArrayFactory.BuildArray(data.Children[0]);
                return "[" + string.Join(",", Enumerable.Range((data.Offset + i) * size, size).Select(k => Render(values, k))) + "]";
            }
            case StructArray:
                // Per the Arrow format, a struct's offset applies to its children.
                return "{" + string.Join(",", data.Children.Select(c => Render(ArrowArrayFactory.BuildArray(c), data.Offset + i))) + "}";
        }
        int width = ((FixedWidthType)data.DataType).BitWidth / 8;
        return "0x" + Convert.ToHexString(data.Buffers[1].Span.Slice((data.Offset + i) * width, width));
    }

    public static List<string> RenderRows(RecordBatch batch) =>
        Enumerable.Range(0, batch.Length)
            .Select(i => string.Join("|", Enumerable.Range(0, batch.ColumnCount).Select(c => Render(batch.Column(c), i))))
            .ToList();

    /// <summary>A block with a column of every type the kernels gather, nulls in each (except the non-null "i64nn").</summary>
    public static RecordBatch AllTypes(int count, int seed)
    {
        var random = new Random(seed);
        var columns = new List<(string Name, IArrowArray Array)>
        {
            ("i8", Build(new Int8Array.Builder(), count, random, (b, i) => b.Append((sbyte)random.Next(-128, 128)))),
            ("i16", Build(new Int16Array.Builder(), count, random, (b, i) => b.Append((short)random.Next(-30000, 30000)))),
            ("i32", Build(new Int32Array.Builder(), count, random, (b, i) => b.Append(random.Next()))),
            ("i64", Build(new Int64Array.Builder(), count, random, (b, i) => b.Append(random.NextInt64()))),
            ("i64nn", Build(new Int64Array.Builder(), count, null, (b, i) => b.Append(i))),
            ("u8", Build(new UInt8Array.Builder(), count, random, (b, i) => b.Append((byte)random.Next(256)))),
            ("u16", Build(new UInt16Array.Builder(), count, random, (b, i) => b.Append((ushort)random.Next(65536)))),
            ("u32", Build(new UInt32Array.Builder(), count, random, (b, i) => b.Append((uint)random.NextInt64(uint.MaxValue)))),
            ("u64", Build(new UInt64Array.Builder(), count, random, (b, i) => b.Append((ulong)random.NextInt64()))),
            ("f32", Build(new FloatArray.Builder(), count, random, (b, i) => b.Append(random.NextSingle()))),
            ("f64", Build(new DoubleArray.Builder(), count, random, (b, i) => b.Append(random.NextDouble()))),
            ("bool", Build(new BooleanArray.Builder(), count, random, (b, i) => b.Append(random.Next(2) == 0))),
            ("str", Build(new StringArray.Builder(), count, random, (b, i) => b.Append(Words[random.Next(Words.Length)] + i))),
            ("bin", Build(new BinaryArray.Builder(), count, random, (b, i) => b.Append(Enumerable.Range(0, random.Next(5)).Select(k => (byte)(k + i)).ToArray().AsSpan()))),
            ("ts", Build(new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC")), count, random,
                (b, i) => b.Append(DateTimeOffset.UnixEpoch.AddSeconds(random.Next())))),
            ("d32", Build(new Date32Array.Builder(), count, random, (b, i) => b.Append(new DateTime(2000, 1, 1).AddDays(random.Next(10000))))),
            ("d64", Build(new Date64Array.Builder(), count, random, (b, i) => b.Append(new DateTime(2000, 1, 1).AddDays(random.Next(10000))))),
            ("dec", Build(new Decimal128Array.Builder(new Decimal128Type(12, 2)), count, random, (b, i) => b.Append(random.Next(-100000, 100000) / 100m))),
            ("null", new NullArray(count)),
        };
        columns.Add(("list", IntLists(count, random)));
        columns.Add(("fsl", FixedSizeLists(count, random)));
        columns.Add(("struct", Struct(columns.Single(c => c.Name == "i32").Array, columns.Single(c => c.Name == "str").Array, count, random)));
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Array.Data.DataType, nullable: true)), null);
        return new RecordBatch(schema, columns.Select(c => c.Array), count);
    }

    /// <summary>The values <paramref name="append"/> gives, then about one in six made null (null <paramref name="random"/>: none).</summary>
    private static IArrowArray Build<TBuilder>(TBuilder builder, int count, Random? random, Action<TBuilder, int> append)
        where TBuilder : IArrowArrayBuilder<IArrowArray>
    {
        for (int i = 0; i < count; i++)
            append(builder, i);
        var data = builder.Build(default).Data;
        if (random is null)
            return ArrowArrayFactory.BuildArray(data);
        var validity = new ArrowBuffer.BitmapBuilder();
        for (int i = 0; i < count; i++)
            validity.Append(random.Next(6) != 0);
        var buffers = data.Buffers.ToArray();
        buffers[0] = validity.Build();
        return ArrowArrayFactory.BuildArray(new ArrayData(data.DataType, count, validity.UnsetBitCount, 0, buffers, data.Children));
    }

    /// <summary>list&lt;int32&gt;: null lists, empty lists, and lists with null items.</summary>
    private static IArrowArray IntLists(int count, Random random)
    {
        var builder = new ListArray.Builder(Int32Type.Default);
        var values = (Int32Array.Builder)builder.ValueBuilder;
        for (int i = 0; i < count; i++)
        {
            if (random.Next(6) == 0)
            {
                builder.AppendNull();
                continue;
            }
            builder.Append();
            for (int k = random.Next(4); k > 0; k--)
                values.Append(random.Next(5) == 0 ? null : random.Next(100));
        }
        return builder.Build();
    }

    /// <summary>fixed_size_list&lt;int64, 2&gt; with null lists and null items.</summary>
    private static IArrowArray FixedSizeLists(int count, Random random)
    {
        var values = new Int64Array.Builder();
        var validity = new ArrowBuffer.BitmapBuilder();
        for (int i = 0; i < count; i++)
        {
            bool valid = random.Next(6) != 0;
            validity.Append(valid);
            values.Append(random.Next(5) == 0 ? null : i).Append(2L * i);
        }
        var type = new FixedSizeListType(new Field("item", Int64Type.Default, true), 2);
        return new FixedSizeListArray(type, count, values.Build(), validity.Build(), validity.UnsetBitCount);
    }

    private static IArrowArray Struct(IArrowArray first, IArrowArray second, int count, Random random)
    {
        var validity = new ArrowBuffer.BitmapBuilder();
        for (int i = 0; i < count; i++)
            validity.Append(random.Next(6) != 0);
        var type = new StructType([new Field("x", first.Data.DataType, true), new Field("y", second.Data.DataType, true)]);
        return new StructArray(type, count, [first, second], validity.Build(), validity.UnsetBitCount);
    }
}
