using Apache.Arrow;
using Grid.Data.Blocks;

namespace Grid.Data.Tests.Blocks;

/// <summary>Sort, and the distributed sort's kernels (sample, boundaries, range partition, merge), against LINQ.</summary>
public sealed class SortTests
{
    /// <summary>"A,-S": A ascending then S descending.</summary>
    private static List<SortKey> Keys(string spec) =>
        spec.Split(',').Select(k => k.StartsWith('-') ? new SortKey(k[1..], Descending: true) : new SortKey(k)).ToList();

    /// <summary>LINQ's stable sort with the kernels' order: nulls last in both directions, strings ordinal.</summary>
    private static List<long> LinqSort(IEnumerable<Rec> rows, IReadOnlyList<SortKey> keys)
    {
        IOrderedEnumerable<Rec>? sorted = null;
        foreach (var key in keys)
        {
            Func<Rec, object?> value = key.Column switch
            {
                "A" => r => r.A,
                "S" => r => r.S,
                "D" => r => r.D,
                "N" => r => r.N,
                _ => r => r.Id,
            };
            IComparer<object?> comparer = Comparer<object?>.Create((x, y) => x is string a && y is string b
                ? string.CompareOrdinal(a, b)
                : Comparer<object?>.Default.Compare(x, y));
            sorted = sorted is null ? rows.OrderBy(r => value(r) is null) : sorted.ThenBy(r => value(r) is null);
            sorted = key.Descending ? sorted.ThenByDescending(value, comparer) : sorted.ThenBy(value, comparer);
        }
        return sorted!.Select(r => r.Id).ToList();
    }

    [Theory]
    [InlineData("A")]
    [InlineData("-A")]
    [InlineData("S")]
    [InlineData("-S")]
    [InlineData("A,-S")]
    [InlineData("-S,A")]
    [InlineData("S,-D")]
    [InlineData("-A,S,N")]
    public void Sort_MatchesLinqsStableSort(string spec)
    {
        var rows = TestBlocks.Rows(2000, seed: 20);
        var keys = Keys(spec);
        var sorted = BlockOps.Sort(TestBlocks.Batch(rows), keys);
        Assert.Equal(LinqSort(rows, keys), TestBlocks.Ids(sorted));
        Assert.Equal(rows.OrderBy(r => r.Id), TestBlocks.Read(sorted).OrderBy(r => r.Id));
    }

    [Fact]
    public void Sort_IsStable_AndPutsNullsLastInBothDirections()
    {
        var rows = new List<Rec>
        {
            new(0, null, "x", 1, 1), new(1, 2, "y", 2, 2), new(2, 1, "z", 3, 3), new(3, 2, "w", 4, 4), new(4, null, "v", 5, 5), new(5, 1, "u", 6, 6),
        };
        var block = TestBlocks.Batch(rows);
        Assert.Equal([2L, 5, 1, 3, 0, 4], TestBlocks.Ids(BlockOps.Sort(block, Keys("A"))));
        Assert.Equal([1L, 3, 2, 5, 0, 4], TestBlocks.Ids(BlockOps.Sort(block, Keys("-A"))));
    }

    [Fact]
    public void Sort_OfASlice_SortsOnlyItsRows()
    {
        var rows = TestBlocks.Rows(500, seed: 21);
        var slice = BlockOps.Slice(TestBlocks.Batch(rows), 100, 250);
        Assert.Equal(LinqSort(rows.Skip(100).Take(250), Keys("S,A")), TestBlocks.Ids(BlockOps.Sort(slice, Keys("S,A"))));
    }

    [Fact]
    public void Sort_ByAMissingColumn_NamesIt()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(10, seed: 22));
        Assert.Equal("nope", Assert.Throws<SchemaMismatchException>(() => BlockOps.Sort(block, Keys("A,nope"))).Column);
    }

    [Fact]
    public void Sort_ByEveryKeyType_OrdersAsTheValues()
    {
        var block = TestBlocks.AllTypes(300, seed: 23);
        foreach (var column in new[] { "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "str", "bin", "ts", "d32", "d64", "dec", "null" })
        {
            var sorted = BlockOps.Sort(block, [new SortKey(column)]);
            var array = sorted.Column(column);
            int nulls = array.NullCount;
            Assert.All(Enumerable.Range(array.Length - nulls, nulls), i => Assert.True(array.IsNull(i), column));
            var values = Enumerable.Range(0, array.Length - nulls).Select(i => Value(array, i)).ToList();
            Assert.True(values.SequenceEqual(values.Order()), column);
        }
    }

    /// <summary>A comparable value of a non-null element, as .NET orders it (bytes as hex, which orders as the bytes do).</summary>
    private static IComparable Value(IArrowArray array, int i) => array switch
    {
        Int8Array a => a.GetValue(i)!.Value, Int16Array a => a.GetValue(i)!.Value, Int32Array a => a.GetValue(i)!.Value,
        Int64Array a => a.GetValue(i)!.Value, UInt8Array a => a.GetValue(i)!.Value, UInt16Array a => a.GetValue(i)!.Value,
        UInt32Array a => a.GetValue(i)!.Value, UInt64Array a => a.GetValue(i)!.Value, FloatArray a => a.GetValue(i)!.Value,
        DoubleArray a => a.GetValue(i)!.Value, BooleanArray a => a.GetValue(i)!.Value, StringArray a => new OrdinalString(a.GetString(i)),
        BinaryArray a => new OrdinalString(Convert.ToHexString(a.GetBytes(i))),
        TimestampArray a => a.GetValue(i)!.Value, Date32Array a => a.GetValue(i)!.Value, Date64Array a => a.GetValue(i)!.Value,
        Decimal128Array a => a.GetValue(i)!.Value,
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    private sealed record OrdinalString(string Value) : IComparable
    {
        public int CompareTo(object? other) => string.CompareOrdinal(Value, ((OrdinalString)other!).Value);
    }

    [Theory]
    [InlineData("A", 4)]
    [InlineData("-S,A", 5)]
    [InlineData("D", 3)]
    [InlineData("-A,-D", 7)]
    [InlineData("S", 1)]
    public void RangePartitionThenMergeSorted_IsTheFullSort(string spec, int partitions)
    {
        var keys = Keys(spec);
        var rows = TestBlocks.Rows(3000, seed: 24);
        var blocks = TestBlocks.Blocks(rows, seed: 25);
        var samples = blocks.Select((b, i) => BlockOps.SampleKeys(b, keys, 40, seed: i)).ToList();
        var boundaries = BlockOps.Boundaries(samples, keys, partitions);
        Assert.Equal(partitions - 1, boundaries.Length);
        Assert.Equal(keys.Select(k => k.Column), boundaries.Schema.FieldsList.Select(f => f.Name));

        var parts = blocks.Select(b => BlockOps.RangePartition(BlockOps.Sort(b, keys), keys, boundaries)).ToList();
        Assert.All(parts, p => Assert.Equal(partitions, p.Length));
        var merged = Enumerable.Range(0, partitions).Select(p => BlockOps.MergeSorted(parts.Select(b => b[p]).ToList(), keys)).ToList();
        Assert.Equal(LinqSort(rows, keys), merged.SelectMany(TestBlocks.Ids).ToList());
        // The samples split the rows roughly evenly (no part holds most of them, for keys with many values).
        if (spec == "D")
            Assert.All(merged, m => Assert.InRange(m.Length, rows.Count / partitions / 3, rows.Count * 2 / partitions));
    }

    [Fact]
    public void RangePartition_SendsRowsEqualToABoundaryRight()
    {
        var keys = Keys("A");
        var boundaries = new RecordBatch(new Schema([new Field("A", Apache.Arrow.Types.Int32Type.Default, true)], null),
            [new Int32Array.Builder().Append(2).Append(4).Build()], 2);
        var rows = Enumerable.Range(0, 6).Select(i => new Rec(i, i, null, null, null)).Append(new Rec(6, null, null, null, null)).ToList();
        var parts = BlockOps.RangePartition(TestBlocks.Batch(rows), keys, boundaries);
        Assert.Equal([[0L, 1], [2L, 3], [4L, 5, 6]], parts.Select(TestBlocks.Ids).ToArray());
    }

    [Fact]
    public void MergeSorted_EqualsAStableSortOfTheConcatenation()
    {
        var keys = Keys("S,-A");
        var rows = TestBlocks.Rows(1500, seed: 26);
        var blocks = TestBlocks.Blocks(rows, seed: 27).Select(b => BlockOps.Sort(b, keys)).ToList();
        var concatenated = blocks.SelectMany(TestBlocks.Read).ToList();
        Assert.Equal(LinqSort(concatenated, keys), TestBlocks.Ids(BlockOps.MergeSorted(blocks, keys)));
    }

    [Fact]
    public void SampleKeys_IsDistinctRowsOfTheKeys_SameForTheSameSeed()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(1000, seed: 28));
        var keys = Keys("Id,-S");
        var sample = BlockOps.SampleKeys(block, keys, 100, seed: 5);
        Assert.Equal(["Id", "S"], sample.Schema.FieldsList.Select(f => f.Name));
        var ids = Enumerable.Range(0, sample.Length).Select(i => ((Int64Array)sample.Column("Id")).GetValue(i)!.Value).ToList();
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(ids, BlockOps.SampleKeys(block, keys, 100, seed: 5).Column("Id") is Int64Array again
            ? Enumerable.Range(0, again.Length).Select(i => again.GetValue(i)!.Value).ToList() : null);
        Assert.Equal(1000, BlockOps.SampleKeys(block, keys, 5000, seed: 5).Length);
    }

    [Fact]
    public void Boundaries_WithNoSampleRows_AreNullRowsThatSendEveryValueToPartZero()
    {
        var keys = Keys("A");
        var empty = BlockOps.SampleKeys(TestBlocks.Batch([]), keys, 10, seed: 1);
        var boundaries = BlockOps.Boundaries([empty], keys, 3);
        Assert.Equal(2, boundaries.Length);
        var parts = BlockOps.RangePartition(TestBlocks.Batch([new Rec(0, 5, null, null, null)]), keys, boundaries);
        Assert.Equal([1, 0, 0], parts.Select(p => p.Length));
    }
}
