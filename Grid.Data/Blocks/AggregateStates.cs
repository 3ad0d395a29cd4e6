using System.Numerics;
using System.Runtime.InteropServices;

namespace Grid.Data.Blocks;

/// <summary>
/// Each aggregate's partial states and how they merge (nulls in the aggregated column are skipped):
/// <list type="bullet">
/// <item>count(): "#count" (Int64, rows) → sum of the counts, Int64.</item>
/// <item>sum(x): "#sum" (Int64 for integer columns, wrapping on overflow; Double for float columns; null when the
/// group has no value) → sum of the sums, same type, null when every one is null.</item>
/// <item>min(x), max(x): "#min"/"#max" (the column's type; any sortable type; null when no value) → min/max of
/// them. Floats compare as IComparable does: NaN is less than every number.</item>
/// <item>mean(x): "#count" (Int64, values), "#sum" (Double) → sum / count, Double, null when count is 0.</item>
/// <item>std(x): "#count", "#mean", "#m2" (Welford's count, mean and sum of squared deviations; merged by Chan's
/// parallel formula) → the sample standard deviation sqrt(m2 / (count - 1)), Double, null when count &lt; 2.</item>
/// </list>
/// </summary>
internal static class AggregateStates
{
    private readonly record struct Moments(long Count, double Mean, double M2)
    {
        /// <summary>Chan et al.'s merge of two sets' moments (Welford's update when <paramref name="other"/> is one value).</summary>
        public Moments Merge(Moments other)
        {
            if (other.Count == 0)
                return this;
            long count = Count + other.Count;
            double delta = other.Mean - Mean;
            return new Moments(count, Mean + delta * other.Count / count, M2 + other.M2 + delta * delta * Count * other.Count / count);
        }
    }

    public static IEnumerable<(Field, IArrowArray)> Partial(RecordBatch block, Groups groups, AggregateFn aggregate)
    {
        switch (aggregate.Kind)
        {
            case AggregateKind.Count:
            {
                var counts = new long[groups.Count];
                for (int g = 0; g < counts.Length; g++)
                    counts[g] = groups.Rows(g).Length;
                return [State(aggregate, "count", Primitive(Int64Type.Default, counts, null))];
            }
            case AggregateKind.Sum:
                return [State(aggregate, "sum", Sum(groups, NumericInput(block, aggregate)))];
            case AggregateKind.Min or AggregateKind.Max:
            {
                var (array, values) = Input(block, aggregate);
                return [State(aggregate, aggregate.Kind == AggregateKind.Min ? "min" : "max", Extreme(groups, array, values, aggregate.Kind))];
            }
            case AggregateKind.Mean:
            {
                var values = NumericInput(block, aggregate);
                var sums = Fold(groups, values, (Count: 0L, Sum: 0.0), (s, row) => (s.Count + 1, s.Sum + values.ToDouble(row)));
                return [State(aggregate, "count", Primitive(Int64Type.Default, sums.Select(s => s.Count).ToArray(), null)),
                        State(aggregate, "sum", Primitive(DoubleType.Default, sums.Select(s => s.Sum).ToArray(), null))];
            }
            case AggregateKind.Std:
            {
                var values = NumericInput(block, aggregate);
                var moments = Fold(groups, values, new Moments(), (m, row) => m.Merge(new Moments(1, values.ToDouble(row), 0)));
                return MomentStates(aggregate, moments);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(aggregate), aggregate.Kind, "Unknown aggregate kind.");
        }
    }

    public static (Field, IArrowArray) Final(RecordBatch partials, Groups groups, AggregateFn aggregate)
    {
        IArrowArray result;
        switch (aggregate.Kind)
        {
            case AggregateKind.Count:
                result = Sum(groups, StateInput(partials, aggregate, "count").Values);
                break;
            case AggregateKind.Sum:
                result = Sum(groups, StateInput(partials, aggregate, "sum").Values);
                break;
            case AggregateKind.Min or AggregateKind.Max:
            {
                var (array, values) = StateInput(partials, aggregate, aggregate.Kind == AggregateKind.Min ? "min" : "max");
                result = Extreme(groups, array, values, aggregate.Kind);
                break;
            }
            case AggregateKind.Mean:
            {
                var counts = StateInput(partials, aggregate, "count").Values;
                var sums = StateInput(partials, aggregate, "sum").Values;
                var totals = Fold(groups, counts, (Count: 0L, Sum: 0.0), (s, row) => (s.Count + counts.ToInt64(row), s.Sum + sums.ToDouble(row)));
                result = Doubles(totals.Select(t => t.Count == 0 ? (double?)null : t.Sum / t.Count));
                break;
            }
            case AggregateKind.Std:
            {
                var counts = StateInput(partials, aggregate, "count").Values;
                var means = StateInput(partials, aggregate, "mean").Values;
                var m2s = StateInput(partials, aggregate, "m2").Values;
                var moments = Fold(groups, counts, new Moments(),
                    (m, row) => m.Merge(new Moments(counts.ToInt64(row), means.ToDouble(row), m2s.ToDouble(row))));
                result = Doubles(moments.Select(m => m.Count < 2 ? (double?)null : Math.Sqrt(m.M2 / (m.Count - 1))));
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(aggregate), aggregate.Kind, "Unknown aggregate kind.");
        }
        return (new Field(aggregate.Name, result.Data.DataType, nullable: true), result);
    }

    /// <summary>Per group, <paramref name="add"/> folded over the rows where <paramref name="values"/> is not null.</summary>
    private static TState[] Fold<TState>(Groups groups, KeyValues values, TState seed, Func<TState, int, TState> add)
    {
        var states = new TState[groups.Count];
        for (int g = 0; g < states.Length; g++)
        {
            TState state = seed;
            foreach (int row in groups.Rows(g))
            {
                if (!values.IsNull(row))
                    state = add(state, row);
            }
            states[g] = state;
        }
        return states;
    }

    /// <summary>Int64 sums of an integer column, Double sums of a float one; null for a group without values.</summary>
    private static IArrowArray Sum(Groups groups, KeyValues values) =>
        values.IsInteger
            ? Sums(groups, values, values.ToInt64, Int64Type.Default)
            : Sums(groups, values, values.ToDouble, DoubleType.Default);

    private static IArrowArray Sums<T>(Groups groups, KeyValues values, Func<int, T> read, IArrowType type) where T : unmanaged, INumber<T>
    {
        var sums = Fold(groups, values, (Any: false, Sum: T.Zero), (s, row) => (true, s.Sum + read(row)));
        return Primitive(type, sums.Select(s => s.Sum).ToArray(), sums.Select(s => s.Any).ToArray());
    }

    /// <summary>The least (Min) or greatest (Max) value of each group, by gathering it from <paramref name="array"/>.</summary>
    private static IArrowArray Extreme(Groups groups, IArrowArray array, KeyValues values, AggregateKind kind)
    {
        var comparer = values.CompareWith(values, descending: kind == AggregateKind.Max);
        var best = Fold(groups, values, -1, (current, row) => current < 0 || comparer.Compare(row, current) < 0 ? row : current);
        return ArrowArrayFactory.BuildArray(Gather.Take(array.Data, best));
    }

    private static IEnumerable<(Field, IArrowArray)> MomentStates(AggregateFn aggregate, Moments[] moments) =>
    [
        State(aggregate, "count", Primitive(Int64Type.Default, moments.Select(m => m.Count).ToArray(), null)),
        State(aggregate, "mean", Primitive(DoubleType.Default, moments.Select(m => m.Mean).ToArray(), null)),
        State(aggregate, "m2", Primitive(DoubleType.Default, moments.Select(m => m.M2).ToArray(), null)),
    ];

    private static (Field, IArrowArray) State(AggregateFn aggregate, string part, IArrowArray array) =>
        (new Field($"{aggregate.Name}#{part}", array.Data.DataType, nullable: true), array);

    /// <summary>The aggregated column (<see cref="SchemaMismatchException"/> when missing or of a type it cannot take).</summary>
    private static (IArrowArray Array, KeyValues Values) Input(RecordBatch block, AggregateFn aggregate)
    {
        string column = aggregate.Column ?? throw new ArgumentException($"Aggregate {aggregate.Kind} needs a column.", nameof(aggregate));
        var array = block.Column(SchemaCheck.Require(block.Schema, column, $"aggregate ({aggregate.Name})"));
        return (array, KeyValues.Of(array, column));
    }

    private static KeyValues NumericInput(RecordBatch block, AggregateFn aggregate)
    {
        var (array, values) = Input(block, aggregate);
        if (!values.IsNumeric)
            throw new SchemaMismatchException(aggregate.Column!, $"{aggregate.Name} needs a column of numbers; it is {SchemaCheck.Describe(array.Data.DataType)}.");
        return values;
    }

    private static (IArrowArray Array, KeyValues Values) StateInput(RecordBatch partials, AggregateFn aggregate, string part)
    {
        string column = $"{aggregate.Name}#{part}";
        var array = partials.Column(SchemaCheck.Require(partials.Schema, column, "merge (a partial aggregate's state)"));
        return (array, KeyValues.Of(array, column));
    }

    private static IArrowArray Doubles(IEnumerable<double?> values)
    {
        var all = values.ToArray();
        return Primitive(DoubleType.Default, all.Select(v => v ?? 0).ToArray(), all.Select(v => v.HasValue).ToArray());
    }

    /// <summary>A primitive array of <paramref name="values"/>; null where <paramref name="valid"/> is false.</summary>
    private static IArrowArray Primitive<T>(IArrowType type, T[] values, bool[]? valid) where T : unmanaged
    {
        int nulls = 0;
        var bitmap = new byte[(values.Length + 7) / 8];
        for (int i = 0; i < values.Length; i++)
        {
            if (valid is null || valid[i])
                bitmap[i >> 3] |= (byte)(1 << (i & 7));
            else
                nulls++;
        }
        var data = new ArrayData(type, values.Length, nulls, 0,
            [nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(bitmap), new ArrowBuffer(MemoryMarshal.AsBytes(values.AsSpan()).ToArray())]);
        return ArrowArrayFactory.BuildArray(data);
    }
}
