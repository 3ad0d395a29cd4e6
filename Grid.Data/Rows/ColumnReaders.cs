using System.Numerics;

namespace Grid.Data.Rows;

/// <summary>Reads the values of one column of one batch as one CLR type; built once per batch and column.</summary>
internal abstract class ColumnReader(IArrowArray array)
{
    public IArrowArray Array { get; } = array;

    /// <summary>The value of <paramref name="row"/> boxed, null for a null (what a <see cref="Row"/> holds).</summary>
    public abstract object? GetObject(int row);
}

internal abstract class ColumnReader<T>(IArrowArray array) : ColumnReader(array)
{
    /// <summary>The value of <paramref name="row"/>. Readers of columns with nulls are wrapped to handle them (see
    /// <see cref="ColumnReaders.Create"/>); the unwrapped ones read whatever a null slot holds.</summary>
    public abstract T Get(int row);

    public override object? GetObject(int row) => Array.IsNull(row) ? null : Get(row);
}

/// <summary>
/// The readers of Arrow columns as CLR types, and which column types each CLR type accepts: its own, the safe
/// numeric widenings (every value of the column fits exactly), any timestamp unit and zone or date for DateTime,
/// DateTimeOffset and DateOnly, large and view strings and binaries.
/// </summary>
internal static class ColumnReaders
{
    /// <summary>The CLR number types each integer and floating column type widens to without loss.</summary>
    private static readonly Dictionary<ArrowTypeId, Type[]> Widenings = new()
    {
        [ArrowTypeId.Int8] = [typeof(sbyte), typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
        [ArrowTypeId.Int16] = [typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
        [ArrowTypeId.Int32] = [typeof(int), typeof(long), typeof(double), typeof(decimal)],
        [ArrowTypeId.Int64] = [typeof(long), typeof(decimal)],
        [ArrowTypeId.UInt8] = [typeof(byte), typeof(ushort), typeof(uint), typeof(ulong), typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
        [ArrowTypeId.UInt16] = [typeof(ushort), typeof(uint), typeof(ulong), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
        [ArrowTypeId.UInt32] = [typeof(uint), typeof(ulong), typeof(long), typeof(double), typeof(decimal)],
        [ArrowTypeId.UInt64] = [typeof(ulong), typeof(decimal)],
        [ArrowTypeId.Float] = [typeof(float), typeof(double)],
        [ArrowTypeId.Double] = [typeof(double)],
    };

    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>
    /// A <see cref="ColumnReader{T}"/> (T = <paramref name="target"/>) of <paramref name="array"/>, or null when the
    /// column's type cannot be read as <paramref name="target"/>. Nulls read as null into reference and nullable
    /// types; into other value types they throw <paramref name="onNull"/>(row) (not checked when the column has none).
    /// <paramref name="target"/> object reads each column as the CLR type a <see cref="Row"/> holds for it.
    /// </summary>
    public static ColumnReader? Create(Type target, IArrowArray array, Func<int, Exception> onNull)
    {
        if (Nullable.GetUnderlyingType(target) is { } underlying)
        {
            return CreateValue(underlying, array, onNull) is { } inner
                ? Wrap(typeof(NullableReader<>).MakeGenericType(underlying), inner) : null;
        }
        if (CreateValue(target, array, onNull) is not { } reader) return null;
        if (array.NullCount == 0 || target == typeof(object)) return reader;
        return (ColumnReader)Activator.CreateInstance(typeof(NullsReader<>).MakeGenericType(target), reader,
            target.IsValueType ? onNull : null)!;
    }

    private static ColumnReader? CreateValue(Type target, IArrowArray array, Func<int, Exception> onNull)
    {
        if (target == typeof(object))
        {
            return array is NullArray ? new FuncReader<object?>(array, _ => null)
                : TypeMap.ClrTypeOf(array.Data.DataType) is { } clr && Create(clr, array, onNull) is { } typed
                    ? new FuncReader<object?>(array, typed.GetObject) : null;
        }
        if (TypeMap.ListElement(target) is { } element)
        {
            return array is ListArray list && Create(element, list.Values, _ => ListElementNull(element)) is { } elements
                ? Wrap(typeof(ListReader<,>).MakeGenericType(element, target), list, elements) : null;
        }
        var type = array.Data.DataType;
        if (Widenings.TryGetValue(type.TypeId, out var targets))
        {
            // A number column's array is a PrimitiveArray<its CLR type>, e.g. Int32Array of int.
            return targets.Contains(target) ? Wrap(typeof(NumericReader<,>).MakeGenericType(TypeMap.ClrTypeOf(type)!, target), array) : null;
        }
        return array switch
        {
            _ when target == typeof(string) => Text(array),
            _ when target == typeof(byte[]) => Binary(array),
            BooleanArray a when target == typeof(bool) => new FuncReader<bool>(a, row => a.GetValue(row).GetValueOrDefault()),
            Decimal128Array a when target == typeof(decimal) => new FuncReader<decimal>(a, row => a.GetValue(row) ?? 0),
            StructArray a when target == typeof(Row) => new StructReader(a, onNull),
            _ => Time(target, array),
        };
    }

    private static ColumnReader? Text(IArrowArray array) => array switch
    {
        StringArray a => new FuncReader<string>(array, row => a.GetString(row)),
        LargeStringArray a => new FuncReader<string>(array, row => a.GetString(row)),
        StringViewArray a => new FuncReader<string>(array, row => a.GetString(row)),
        _ => null,
    };

    // StringArray derives from BinaryArray (and likewise the large and view kinds): the type id tells them apart.
    private static ColumnReader? Binary(IArrowArray array) => (array, array.Data.DataType.TypeId) switch
    {
        (BinaryArray a, ArrowTypeId.Binary) => new FuncReader<byte[]>(array, row => a.GetBytes(row).ToArray()),
        (LargeBinaryArray a, ArrowTypeId.LargeBinary) => new FuncReader<byte[]>(array, row => a.GetBytes(row).ToArray()),
        (BinaryViewArray a, ArrowTypeId.BinaryView) => new FuncReader<byte[]>(array, row => a.GetBytes(row).ToArray()),
        _ => null,
    };

    /// <summary>DateTime (UTC), DateTimeOffset (offset 0) and DateOnly from timestamps of any unit and zone (the
    /// stored value is the instant since the epoch in UTC) and dates.</summary>
    private static ColumnReader? Time(Type target, IArrowArray array)
    {
        Func<int, long>? ticks = array switch
        {
            TimestampArray a => TimestampTicks(a),
            Date64Array a => Ticks(a.Values.ToArray(), TimeSpan.TicksPerMillisecond),
            Date32Array a => Ticks(a.Values.ToArray(), TimeSpan.TicksPerDay),
            _ => null,
        };
        if (ticks is null) return null;
        if (target == typeof(DateTime)) return new FuncReader<DateTime>(array, row => new DateTime(ticks(row), DateTimeKind.Utc));
        if (target == typeof(DateTimeOffset)) return new FuncReader<DateTimeOffset>(array, row => new DateTimeOffset(ticks(row), TimeSpan.Zero));
        if (target == typeof(DateOnly) && array is Date32Array or Date64Array)
            return new FuncReader<DateOnly>(array, row => DateOnly.FromDateTime(new DateTime(ticks(row))));
        return null;
    }

    private static Func<int, long> TimestampTicks(TimestampArray array)
    {
        var values = array.Values.ToArray();
        return ((TimestampType)array.Data.DataType).Unit switch
        {
            TimeUnit.Nanosecond => row => EpochTicks + values[row] / 100,
            TimeUnit.Microsecond => Ticks(values, 10),
            TimeUnit.Millisecond => Ticks(values, TimeSpan.TicksPerMillisecond),
            _ => Ticks(values, TimeSpan.TicksPerSecond),
        };
    }

    private static Func<int, long> Ticks<TValue>(TValue[] values, long ticksPerUnit) where TValue : IBinaryInteger<TValue> =>
        row => EpochTicks + long.CreateTruncating(values[row]) * ticksPerUnit;

    private static Exception ListElementNull(Type element) => new InvalidOperationException(
        $"a list element is null but the element type {TypeMap.Describe(element)} is not nullable: use {TypeMap.Describe(element)}? elements");

    private static ColumnReader Wrap(Type readerType, params object[] arguments) =>
        (ColumnReader)Activator.CreateInstance(readerType, arguments)!;
}

/// <summary>A number column as a number type it widens to. The values are copied out once (8 bytes a row at most) so
/// that a row reads a managed array, not a buffer's span.</summary>
internal sealed class NumericReader<TArrow, T>(PrimitiveArray<TArrow> array) : ColumnReader<T>(array)
    where TArrow : struct, INumberBase<TArrow>
    where T : INumberBase<T>
{
    private readonly TArrow[] values = array.Values.ToArray();

    public override T Get(int row) => T.CreateTruncating(values[row]);
}

/// <summary>A column read through a typed accessor of its array (strings, binaries, booleans, times, decimals).</summary>
internal sealed class FuncReader<T>(IArrowArray array, Func<int, T> get) : ColumnReader<T>(array)
{
    public override T Get(int row) => get(row);
}

/// <summary>A column with nulls into a Nullable&lt;T&gt;.</summary>
internal sealed class NullableReader<T>(ColumnReader<T> inner) : ColumnReader<T?>(inner.Array) where T : struct
{
    public override T? Get(int row) => Array.IsNull(row) ? null : inner.Get(row);
}

/// <summary>A column with nulls into a reference type (null) or a value type (throws, naming the row).</summary>
internal sealed class NullsReader<T>(ColumnReader<T> inner, Func<int, Exception>? onNull) : ColumnReader<T>(inner.Array)
{
    public override T Get(int row) => !Array.IsNull(row) ? inner.Get(row) : onNull is null ? default! : throw onNull(row);
}

/// <summary>A list column into T[], List&lt;T&gt; or IReadOnlyList&lt;T&gt; (an array).</summary>
internal sealed class ListReader<TElement, TList>(ListArray array, ColumnReader<TElement> elements) : ColumnReader<TList>(array)
{
    private readonly int[] offsets = array.ValueOffsets.ToArray();

    public override TList Get(int row)
    {
        var start = offsets[row];
        var items = new TElement[offsets[row + 1] - start];
        for (var i = 0; i < items.Length; i++) items[i] = elements.Get(start + i);
        return typeof(TList) == typeof(List<TElement>) ? (TList)(object)new List<TElement>(items) : (TList)(object)items;
    }
}

/// <summary>A struct column as <see cref="Row"/>s of its fields (the rows of one column share their column names).</summary>
internal sealed class StructReader : ColumnReader<Row>
{
    private readonly RowColumns columns;
    private readonly ColumnReader[] fields;

    public StructReader(StructArray array, Func<int, Exception> onNull) : base(array)
    {
        var type = (StructType)array.Data.DataType;
        columns = new RowColumns(type.Fields.Select(f => f.Name));
        fields = array.Fields.Select((f, i) => ColumnReaders.Create(typeof(object), f, onNull)
            ?? throw new SchemaMismatchException(type.Fields[i].Name, $"rows cannot hold a field of type {TypeMap.Describe(type.Fields[i].DataType)}")).ToArray();
    }

    public override Row Get(int row)
    {
        var values = new object?[fields.Length];
        // Arrow slices a struct's field arrays with it: row i of the struct is row i of each field.
        for (var i = 0; i < values.Length; i++) values[i] = fields[i].GetObject(row);
        return new Row(columns, values);
    }
}
