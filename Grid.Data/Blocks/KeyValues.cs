using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.Data.Blocks;

/// <summary>
/// One key column copied out of its Arrow array into managed arrays (values from the array's offset on, and a null
/// flag per row where it has nulls), so that sorting, merging, grouping and hashing read it with typed, bounds-checked
/// array loads and no boxing. Types: every integer and float type, bool, the temporal types (by their integer
/// representation), decimal128 (by its 128-bit integer, one scale per column), string and binary (ordinal by their
/// UTF-8 bytes, which is Unicode code point order, as Arrow and Ray compare them), and the null type.
/// </summary>
internal abstract class KeyValues
{
    protected KeyValues(bool[]? nulls) => Nulls = nulls;

    /// <summary>True at the null rows; null when the column has no nulls.</summary>
    public bool[]? Nulls { get; }

    public bool IsNull(int row) => Nulls is not null && Nulls[row];

    /// <summary>True for the integer and float types, which <see cref="ToInt64"/> and <see cref="ToDouble"/> read.</summary>
    public virtual bool IsNumeric => false;

    /// <summary>True for the integer types.</summary>
    public virtual bool IsInteger => false;

    public virtual long ToInt64(int row) => throw new InvalidOperationException("Not a numeric column.");

    public virtual double ToDouble(int row) => throw new InvalidOperationException("Not a numeric column.");

    /// <summary>
    /// A comparer of this column's rows (left) with <paramref name="right"/>'s (a column of the same Arrow type):
    /// ascending or descending, nulls after every value in both directions.
    /// </summary>
    public abstract ColumnComparer CompareWith(KeyValues right, bool descending);

    /// <summary>
    /// The XxHash64 of the row's value bytes seeded with <paramref name="seed"/>: the same on every process and
    /// machine; equal values hash equal (floats' -0 and NaNs are made one value first); a null hashes as no bytes.
    /// </summary>
    public abstract ulong Hash(int row, ulong seed);

    /// <summary>The key column <paramref name="array"/> (named <paramref name="column"/> for errors).</summary>
    public static KeyValues Of(IArrowArray array, string column)
    {
        ArrayData data = array.Data;
        bool[]? nulls = NullFlags(data);
        return data.DataType.TypeId switch
        {
            ArrowTypeId.Int8 => Numeric<sbyte>(data, nulls, integer: true),
            ArrowTypeId.UInt8 => Numeric<byte>(data, nulls, integer: true),
            ArrowTypeId.Int16 => Numeric<short>(data, nulls, integer: true),
            ArrowTypeId.UInt16 => Numeric<ushort>(data, nulls, integer: true),
            ArrowTypeId.Int32 => Numeric<int>(data, nulls, integer: true),
            ArrowTypeId.UInt32 => Numeric<uint>(data, nulls, integer: true),
            ArrowTypeId.Int64 => Numeric<long>(data, nulls, integer: true),
            ArrowTypeId.UInt64 => Numeric<ulong>(data, nulls, integer: true),
            ArrowTypeId.HalfFloat => Numeric<Half>(data, nulls, integer: false),
            ArrowTypeId.Float => Numeric<float>(data, nulls, integer: false),
            ArrowTypeId.Double => Numeric<double>(data, nulls, integer: false),
            ArrowTypeId.Date32 or ArrowTypeId.Time32 => new ValueKeys<int>(Values<int>(data), nulls),
            ArrowTypeId.Date64 or ArrowTypeId.Time64 or ArrowTypeId.Timestamp or ArrowTypeId.Duration => new ValueKeys<long>(Values<long>(data), nulls),
            ArrowTypeId.Decimal128 => new ValueKeys<Int128>(Values<Int128>(data), nulls),
            ArrowTypeId.Boolean => new ValueKeys<bool>(Bits(data), nulls),
            ArrowTypeId.String or ArrowTypeId.Binary => BytesKeys.Of(data, nulls),
            ArrowTypeId.Null => new ValueKeys<byte>(new byte[data.Length], Enumerable.Repeat(true, data.Length).ToArray()),
            _ => throw new SchemaMismatchException(column, $"cannot sort, group or partition by a column of type {SchemaCheck.Describe(data.DataType)}: use a column of a number, bool, temporal, decimal, string or binary type."),
        };
    }

    private static NumericKeys<T> Numeric<T>(ArrayData data, bool[]? nulls, bool integer) where T : unmanaged, INumber<T> =>
        new(Values<T>(data), nulls, integer);

    private static T[] Values<T>(ArrayData data) where T : unmanaged =>
        data.Length == 0 ? [] : MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length).ToArray();

    private static bool[] Bits(ArrayData data)
    {
        var values = new bool[data.Length];
        ReadOnlySpan<byte> bits = data.Buffers[1].Span;
        for (int i = 0; i < values.Length; i++)
            values[i] = BitUtility.GetBit(bits, data.Offset + i);
        return values;
    }

    private static bool[]? NullFlags(ArrayData data)
    {
        if (data.GetNullCount() == 0 || data.DataType.TypeId == ArrowTypeId.Null)
            return null;
        var nulls = new bool[data.Length];
        ReadOnlySpan<byte> validity = data.Buffers[0].Span;
        for (int i = 0; i < nulls.Length; i++)
            nulls[i] = !BitUtility.GetBit(validity, data.Offset + i);
        return nulls;
    }
}

/// <summary>Compares a row of a left column with a row of a right one; nulls last in both directions.</summary>
internal abstract class ColumnComparer(bool[]? leftNulls, bool[]? rightNulls, bool descending)
{
    public int Compare(int left, int right)
    {
        bool leftNull = leftNulls is not null && leftNulls[left];
        bool rightNull = rightNulls is not null && rightNulls[right];
        if (leftNull || rightNull)
            return leftNull == rightNull ? 0 : leftNull ? 1 : -1;
        int order = CompareValues(left, right);
        return descending ? -order : order;
    }

    /// <summary>The ascending order of two non-null values.</summary>
    protected abstract int CompareValues(int left, int right);
}

/// <summary>Fixed-width values compared by <see cref="IComparable{T}"/> (floats: NaN before every number, -0 = 0).</summary>
internal class ValueKeys<T>(T[] values, bool[]? nulls) : KeyValues(nulls) where T : unmanaged, IComparable<T>
{
    public T[] Values { get; } = values;

    public override ColumnComparer CompareWith(KeyValues right, bool descending) => new Comparer(this, (ValueKeys<T>)right, descending);

    public override ulong Hash(int row, ulong seed)
    {
        if (IsNull(row))
            return XxHash64.HashToUInt64([], (long)seed);
        T value = Values[row];
        // Values that compare equal must hash equal: one zero and one NaN for the float types.
        if (typeof(T) == typeof(double))
            Unsafe.As<T, double>(ref value) = Canonical(Unsafe.As<T, double>(ref value));
        else if (typeof(T) == typeof(float))
            Unsafe.As<T, float>(ref value) = Canonical(Unsafe.As<T, float>(ref value));
        else if (typeof(T) == typeof(Half))
            Unsafe.As<T, Half>(ref value) = Canonical(Unsafe.As<T, Half>(ref value));
        return XxHash64.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), (long)seed);
    }

    private static TFloat Canonical<TFloat>(TFloat value) where TFloat : IFloatingPointIeee754<TFloat> =>
        TFloat.IsNaN(value) ? TFloat.NaN : TFloat.IsZero(value) ? TFloat.Zero : value;

    private sealed class Comparer(ValueKeys<T> left, ValueKeys<T> right, bool descending)
        : ColumnComparer(left.Nulls, right.Nulls, descending)
    {
        private readonly T[] _left = left.Values;
        private readonly T[] _right = right.Values;

        protected override int CompareValues(int l, int r) => _left[l].CompareTo(_right[r]);
    }
}

/// <summary>An integer or float column, which the aggregates Sum, Mean and Std read.</summary>
internal sealed class NumericKeys<T>(T[] values, bool[]? nulls, bool integer) : ValueKeys<T>(values, nulls)
    where T : unmanaged, INumber<T>
{
    public override bool IsNumeric => true;
    public override bool IsInteger => integer;
    public override long ToInt64(int row) => long.CreateTruncating(Values[row]);
    public override double ToDouble(int row) => double.CreateTruncating(Values[row]);
}

/// <summary>String or binary values: their bytes, compared ordinally.</summary>
internal sealed class BytesKeys(int[] offsets, byte[] bytes, bool[]? nulls) : KeyValues(nulls)
{
    public static BytesKeys Of(ArrayData data, bool[]? nulls)
    {
        if (data.Length == 0)
            return new BytesKeys([0], [], nulls);
        var source = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        int first = source[0];
        var offsets = new int[source.Length];
        for (int i = 0; i < offsets.Length; i++)
            offsets[i] = source[i] - first;
        return new BytesKeys(offsets, data.Buffers[2].Span[first..source[^1]].ToArray(), nulls);
    }

    public ReadOnlySpan<byte> Value(int row) => bytes.AsSpan(offsets[row], offsets[row + 1] - offsets[row]);

    public override ColumnComparer CompareWith(KeyValues right, bool descending) => new Comparer(this, (BytesKeys)right, descending);

    public override ulong Hash(int row, ulong seed) =>
        XxHash64.HashToUInt64(IsNull(row) ? [] : Value(row), (long)seed);

    private sealed class Comparer(BytesKeys left, BytesKeys right, bool descending)
        : ColumnComparer(left.Nulls, right.Nulls, descending)
    {
        protected override int CompareValues(int l, int r) => left.Value(l).SequenceCompareTo(right.Value(r));
    }
}

/// <summary>Compares rows of a left block with rows of a right one by several key columns in order.</summary>
internal sealed class RowComparer
{
    private readonly ColumnComparer[] _columns;

    private RowComparer(ColumnComparer[] columns) => _columns = columns;

    /// <summary>Compares rows of <paramref name="left"/> with rows of <paramref name="right"/> (key columns by name in both).</summary>
    public static RowComparer Create(RecordBatch left, RecordBatch right, IReadOnlyList<SortKey> keys)
    {
        var leftKeys = Keys(left, keys.Select(k => k.Column));
        var rightKeys = ReferenceEquals(left, right) ? leftKeys : Keys(right, keys.Select(k => k.Column));
        return new RowComparer(keys.Select((k, i) => leftKeys[i].CompareWith(rightKeys[i], k.Descending)).ToArray());
    }

    /// <summary>The key columns <paramref name="columns"/> of <paramref name="block"/> (<see cref="SchemaMismatchException"/> for a missing one).</summary>
    public static KeyValues[] Keys(RecordBatch block, IEnumerable<string> columns) =>
        columns.Select(c => KeyValues.Of(block.Column(SchemaCheck.Require(block.Schema, c, "sort, group or partition by")), c)).ToArray();

    public int Compare(int left, int right)
    {
        foreach (var column in _columns)
        {
            int order = column.Compare(left, right);
            if (order != 0)
                return order;
        }
        return 0;
    }
}
