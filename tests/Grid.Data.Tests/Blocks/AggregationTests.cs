using Apache.Arrow;
using Grid.Data.Blocks;

namespace Grid.Data.Tests.Blocks;

/// <summary>Aggregation.Partial over blocks, then Final over the partials, against LINQ's GroupBy over all rows.</summary>
public sealed class AggregationTests
{
    private static readonly AggregateFn[] All =
    [
        AggregateFn.Count(), AggregateFn.Sum("N"), AggregateFn.Sum("D"), AggregateFn.Min("N"), AggregateFn.Max("D"),
        AggregateFn.Min("S"), AggregateFn.Max("S"), AggregateFn.Mean("D"), AggregateFn.Mean("N"), AggregateFn.Std("D"), AggregateFn.Std("N"),
    ];

    private static RecordBatch Aggregate(IReadOnlyList<RecordBatch> blocks, string[] keys, IReadOnlyList<AggregateFn> aggregates) =>
        Aggregation.Final(blocks.Select(b => Aggregation.Partial(b, keys, aggregates)).ToList(), keys, aggregates);

    /// <summary>The expected result row of a group: its aggregates in <see cref="All"/>'s order (null where undefined).</summary>
    private static object?[] Expected(IEnumerable<Rec> group)
    {
        var rows = group.ToList();
        var d = rows.Where(r => r.D.HasValue).Select(r => r.D!.Value).ToList();
        var n = rows.Where(r => r.N.HasValue).Select(r => (double)r.N!.Value).ToList();
        var s = rows.Where(r => r.S is not null).Select(r => r.S!).Order(StringComparer.Ordinal).ToList();
        return
        [
            (long)rows.Count, n.Count == 0 ? null : (long)n.Sum(), d.Count == 0 ? null : d.Sum(), n.Count == 0 ? null : (int)n.Min(),
            d.Count == 0 ? null : d.Max(), s.FirstOrDefault(), s.LastOrDefault(), d.Count == 0 ? null : d.Average(),
            n.Count == 0 ? null : n.Average(), Std(d), Std(n),
        ];
    }

    private static double? Std(List<double> values)
    {
        if (values.Count < 2)
            return null;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static object? Value(IArrowArray array, int i) => array switch
    {
        _ when array.IsNull(i) => null,
        Int64Array a => a.GetValue(i),
        Int32Array a => a.GetValue(i),
        DoubleArray a => a.GetValue(i),
        StringArray a => a.GetString(i),
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    private static void AssertRowEqual(object?[] expected, RecordBatch result, int row, int firstAggregate)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            object? actual = Value(result.Column(firstAggregate + k), row);
            if (expected[k] is double e)
                Assert.True(actual is double a && Math.Abs(a - e) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{All[k].Name}: {e} != {actual}");
            else
                Assert.Equal(expected[k], actual);
        }
    }

    [Theory]
    [InlineData("A")]
    [InlineData("S")]
    [InlineData("A,S")]
    [InlineData("S,N")]
    public void PartialsThenFinal_EqualLinqGroupBy(string keySpec)
    {
        string[] keys = keySpec.Split(',');
        var rows = TestBlocks.Rows(4000, seed: 40);
        var blocks = TestBlocks.Blocks(rows, seed: 41);
        var result = Aggregate(blocks, keys, All);

        Assert.Equal(keys.Concat(All.Select(a => a.Name)), result.Schema.FieldsList.Select(f => f.Name));
        var groups = rows.GroupBy(r => (Key(r, keys[0]), keys.Length > 1 ? Key(r, keys[1]) : null)).ToList();
        Assert.Equal(groups.Count, result.Length);
        // Sorted by the keys ascending, nulls last.
        var expectedKeys = groups.Select(g => g.First()).ToList();
        var sortedIds = BlockOps.Sort(TestBlocks.Batch(expectedKeys), keys.Select(k => new SortKey(k)).ToList());
        var ordered = TestBlocks.Read(sortedIds);
        for (int row = 0; row < result.Length; row++)
        {
            for (int k = 0; k < keys.Length; k++)
                Assert.Equal(Key(ordered[row], keys[k]), Value(result.Column(k), row));
            var group = groups.Single(g => g.First().Id == ordered[row].Id);
            AssertRowEqual(Expected(group), result, row, keys.Length);
        }
        // The group A = 7 has no D values: its D aggregates are null.
        if (keySpec == "A")
            Assert.Null(Value(result.Column("sum(D)"), 7));
    }

    private static object? Key(Rec row, string column) => column switch
    {
        "A" => row.A,
        "S" => row.S,
        "N" => row.N,
        _ => throw new ArgumentException(column),
    };

    [Fact]
    public void GlobalAggregate_IsOneRow_EvenOverNoRows()
    {
        var rows = TestBlocks.Rows(1000, seed: 42);
        var result = Aggregate(TestBlocks.Blocks(rows, seed: 43), [], All);
        Assert.Equal(1, result.Length);
        AssertRowEqual(Expected(rows), result, 0, 0);

        var empty = Aggregate([TestBlocks.Batch([])], [], All);
        Assert.Equal(1, empty.Length);
        AssertRowEqual(Expected([]), empty, 0, 0);
    }

    [Fact]
    public void Partial_HasStateColumnsNamedAfterTheAggregate()
    {
        var partial = Aggregation.Partial(TestBlocks.Batch(TestBlocks.Rows(100, seed: 44)), ["A"],
            [AggregateFn.Count(), AggregateFn.Sum("N"), AggregateFn.Mean("D"), AggregateFn.Std("D"), AggregateFn.Min("S")]);
        Assert.Equal(["A", "count()#count", "sum(N)#sum", "mean(D)#count", "mean(D)#sum", "std(D)#count", "std(D)#mean", "std(D)#m2", "min(S)#min"],
            partial.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public void AMissingOrUnsuitableColumn_IsASchemaMismatchNamingIt()
    {
        var block = TestBlocks.Batch(TestBlocks.Rows(20, seed: 45));
        Assert.Equal("X", Assert.Throws<SchemaMismatchException>(() => Aggregation.Partial(block, ["A"], [AggregateFn.Sum("X")])).Column);
        Assert.Equal("K", Assert.Throws<SchemaMismatchException>(() => Aggregation.Partial(block, ["K"], [AggregateFn.Count()])).Column);
        Assert.Equal("S", Assert.Throws<SchemaMismatchException>(() => Aggregation.Partial(block, ["A"], [AggregateFn.Mean("S")])).Column);
        var partial = Aggregation.Partial(block, ["A"], [AggregateFn.Count()]);
        Assert.Equal("sum(D)#sum", Assert.Throws<SchemaMismatchException>(() => Aggregation.Final([partial], ["A"], [AggregateFn.Sum("D")])).Column);
    }

    [Fact]
    public void MinAndMax_OfOtherTypes_KeepTheColumnsType()
    {
        var block = TestBlocks.AllTypes(500, seed: 46);
        string[] columns = ["i8", "u64", "f32", "bool", "str", "bin", "ts", "d32", "dec"];
        var aggregates = columns.SelectMany(c => new[] { AggregateFn.Min(c), AggregateFn.Max(c) }).ToList();
        var halves = new[] { BlockOps.Slice(block, 0, 250), BlockOps.Slice(block, 250, 250) };
        var result = Aggregate(halves, [], aggregates);
        foreach (var column in columns)
        {
            var sorted = BlockOps.Sort(block, [new SortKey(column)]);
            var array = sorted.Column(column);
            Assert.Equal(TestBlocks.Render(array, 0), TestBlocks.Render(result.Column($"min({column})"), 0));
            Assert.Equal(TestBlocks.Render(array, array.Length - array.NullCount - 1), TestBlocks.Render(result.Column($"max({column})"), 0));
            Assert.True(Grid.Data.Blocks.SchemaCheck.SameType(array.Data.DataType, result.Column($"min({column})").Data.DataType));
        }
    }
}
