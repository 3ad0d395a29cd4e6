using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Grid.Data.Rows;

/// <summary>
/// Builds one column of a batch from CLR values. Writers fill their own managed buffers (sized for the row count
/// given, grown by doubling) and hand them to the array without a copy.
/// </summary>
internal abstract class ColumnWriter(Field field, string column)
{
    /// <summary>The column's field: its name, Arrow type and nullability.</summary>
    public Field Field { get; } = field;

    /// <summary>The column as messages name it (a list's element writer: "tags[]").</summary>
    public string Column { get; } = column;

    public abstract int Length { get; }

    /// <summary>Appends a null; <see cref="SchemaMismatchException"/> when the field is not nullable.</summary>
    public void AppendNull()
    {
        if (!Field.IsNullable)
            throw new SchemaMismatchException(Column, $"row {Length} is null but the column is not nullable: declare the property nullable (e.g. string?) to write nulls");
        PutNull();
    }

    /// <summary>Appends a null whatever the field says (a null struct's fields).</summary>
    internal abstract void PutNull();

    /// <summary>Appends a boxed value, converted to the writer's type as <see cref="Row.Get{T}"/> converts.</summary>
    public abstract void AppendObject(object? value);

    /// <summary>Appends every element of <paramref name="values"/>, an array of the writer's value type.</summary>
    public abstract void AppendAll(System.Array values);

    public abstract IArrowArray Build();
}

internal abstract class ColumnWriter<T>(Field field, string column) : ColumnWriter(field, column)
{
    public abstract void Append(T value);

    public override void AppendObject(object? value)
    {
        if (value is null) AppendNull();
        else Append(value is T typed ? typed : RowValues.Convert<T>(value, Column));
    }

    /// <summary>Sizes the writer's buffers for <paramref name="values"/>, those it will be given (a lazy sequence that
    /// writers of variable-width values enumerate; the others ignore it). Saves regrowing buffers of hundreds of MB.</summary>
    public virtual void Presize(IEnumerable<T> values) { }

    public override void AppendAll(System.Array values)
    {
        foreach (var value in (T[])values) Append(value);
    }
}

/// <summary>
/// The writers of CLR types into columns of a given field: the field's type decides the layout (a DateTime into a
/// timestamp of any unit, date64 or date32; a number into its own type), the CLR type the values.
/// </summary>
internal static class ColumnWriters
{
    /// <summary>
    /// The value type of the writer of <paramref name="clr"/> values: list-like types write as
    /// IReadOnlyList&lt;T&gt;, others as themselves.
    /// </summary>
    public static Type ValueType(Type clr) =>
        TypeMap.ListElement(clr) is { } element ? typeof(IReadOnlyList<>).MakeGenericType(element) : clr;

    /// <summary>Whether a writer can build columns of <paramref name="type"/> (dynamic rows fall back to the CLR type's own
    /// column type otherwise, e.g. string for a large_string column of <c>like</c>).</summary>
    public static bool CanWrite(IArrowType type) => type switch
    {
        ListType list => CanWrite(list.ValueDataType),
        StructType s => s.Fields.All(f => CanWrite(f.DataType)),
        LargeStringType or StringViewType or LargeBinaryType or BinaryViewType => false,
        _ => TypeMap.ClrTypeOf(type) is not null,
    };

    /// <summary>
    /// A writer (a <see cref="ColumnWriter{T}"/> of <see cref="ValueType"/>(<paramref name="clr"/>)) of
    /// <paramref name="field"/>, sized for <paramref name="capacity"/> rows.
    /// </summary>
    public static ColumnWriter Create(Type clr, Field field, int capacity, string column)
    {
        if (Nullable.GetUnderlyingType(clr) is { } underlying)
            return New(typeof(NullableWriter<>).MakeGenericType(underlying), Create(underlying, field, capacity, column));
        var type = field.DataType;
        if (type is ListType list)
        {
            // A dynamic row's list (IReadOnlyList<object?>) writes elements as the element column's own CLR type.
            var element = TypeMap.ListElement(clr) is { } e && e != typeof(object) ? e : TypeMap.ClrTypeOf(list.ValueDataType)!;
            return New(typeof(ListWriter<>).MakeGenericType(element), field, column, capacity,
                Create(element, list.ValueField, capacity, column + "[]"));
        }
        return (clr, type) switch
        {
            (_, StructType) => new StructWriter(field, column, capacity),
            (_, NullType) => new NullWriter(field, column),
            (_, BooleanType) => new BooleanWriter(field, column, capacity),
            (_, StringType) => new BytesWriter<string>(field, column, capacity,
                static (s, buffer) => Encoding.UTF8.GetBytes(s, buffer), static s => Encoding.UTF8.GetMaxByteCount(s.Length), Encoding.UTF8.GetByteCount),
            (_, BinaryType) => new BytesWriter<byte[]>(field, column, capacity,
                static (b, buffer) => { b.CopyTo(buffer); return b.Length; }, static b => b.Length, static b => b.Length),
            (_, Decimal128Type) => new DecimalWriter(field, column, capacity),
            (_, TimestampType t) => Time(clr, field, column, capacity, t.Unit switch
            {
                TimeUnit.Second => TimeSpan.TicksPerSecond,
                TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
                TimeUnit.Microsecond => 10,
                _ => -100, // nanoseconds: ticks times 100
            }),
            (_, Date64Type) => Time(clr, field, column, capacity, TimeSpan.TicksPerMillisecond),
            (_, Date32Type) => Time(clr, field, column, capacity, TimeSpan.TicksPerDay),
            _ => New(typeof(FixedWidthWriter<,>).MakeGenericType(clr, clr), field, column, capacity, null!),
        };
    }

    /// <summary>A DateTime (Local converted to UTC, Unspecified taken as UTC), DateTimeOffset or DateOnly (midnight UTC)
    /// into a count of units since the epoch, rounded down (a negative unit: that many units a tick). date32 counts
    /// in an int, the rest in a long.</summary>
    private static ColumnWriter Time(Type clr, Field field, string column, int capacity, long ticksPerUnit)
    {
        if (clr == typeof(DateTime))
            return Encoded<DateTime>(field, column, capacity, ticksPerUnit, t => t.Kind == DateTimeKind.Local ? t.ToUniversalTime().Ticks : t.Ticks);
        if (clr == typeof(DateTimeOffset)) return Encoded<DateTimeOffset>(field, column, capacity, ticksPerUnit, t => t.UtcTicks);
        if (clr == typeof(DateOnly)) return Encoded<DateOnly>(field, column, capacity, ticksPerUnit, d => d.DayNumber * TimeSpan.TicksPerDay);
        throw new SchemaMismatchException(column, $"{TypeMap.Describe(clr)} values cannot be written to a {TypeMap.Describe(field.DataType)} column");
    }

    private static ColumnWriter Encoded<T>(Field field, string column, int capacity, long ticksPerUnit, Func<T, long> utcTicks)
    {
        Func<T, long> units = ticksPerUnit < 0
            ? value => (utcTicks(value) - DateTime.UnixEpoch.Ticks) * -ticksPerUnit
            : value => Math.DivRem(utcTicks(value) - DateTime.UnixEpoch.Ticks, ticksPerUnit) is var (q, r) && r < 0 ? q - 1 : q;
        return field.DataType is Date32Type
            ? new FixedWidthWriter<T, int>(field, column, capacity, value => (int)units(value))
            : new FixedWidthWriter<T, long>(field, column, capacity, units);
    }

    private static ColumnWriter New(Type writerType, params object[] arguments) =>
        (ColumnWriter)Activator.CreateInstance(writerType, arguments)!;
}

/// <summary>The validity bitmap of a column: none until the first null, then all-valid bytes with the nulls' bits cleared.</summary>
internal struct Validity
{
    private byte[]? bits;

    public int NullCount { get; private set; }

    public void SetNull(int row)
    {
        if (bits is null || bits.Length <= row / 8)
        {
            var grown = new byte[Math.Max(16, Math.Max(row / 8 + 1, (bits?.Length ?? 0) * 2))];
            grown.AsSpan().Fill(0xFF);
            bits?.CopyTo(grown, 0);
            bits = grown;
        }
        bits[row / 8] &= (byte)~(1 << (row % 8));
        NullCount++;
    }

    public ArrowBuffer Build(int length)
    {
        if (bits is null) return ArrowBuffer.Empty;
        var size = (length + 7) / 8;
        if (bits.Length < size)
        {
            var old = bits.Length;
            System.Array.Resize(ref bits, size);
            bits.AsSpan(old).Fill(0xFF);
        }
        return new ArrowBuffer(bits.AsMemory(0, size));
    }
}

/// <summary>
/// A growable byte buffer holding values of an unmanaged type, handed to Arrow without a copy. Zeroed when asked (bit
/// maps and offsets rely on it); otherwise left as allocated, for buffers whose every byte is written.
/// </summary>
internal struct ValueBuffer<TValue>(int capacity, bool zeroed) where TValue : unmanaged
{
    private byte[] bytes = zeroed ? new byte[Math.Max(1, capacity) * Unsafe.SizeOf<TValue>()]
        : GC.AllocateUninitializedArray<byte>(Math.Max(1, capacity) * Unsafe.SizeOf<TValue>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, TValue value)
    {
        if ((uint)((index + 1) * Unsafe.SizeOf<TValue>()) > (uint)bytes.Length) Grow((index + 1) * Unsafe.SizeOf<TValue>());
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bytes), index * Unsafe.SizeOf<TValue>()), value);
    }

    /// <summary>Room for <paramref name="count"/> bytes at <paramref name="at"/> (byte buffers).</summary>
    public Span<byte> Reserve(int at, int count)
    {
        if (at + count > bytes.Length) Grow(at + count);
        return bytes.AsSpan(at, count);
    }

    public readonly int Capacity => bytes.Length;

    public readonly ArrowBuffer Build(int count) => new(bytes.AsMemory(0, count * Unsafe.SizeOf<TValue>()));

    private void Grow(int needed) => System.Array.Resize(ref bytes, Math.Max(needed, bytes.Length * 2));
}

/// <summary>A fixed-width column (numbers, timestamps, dates) of <typeparamref name="T"/> values stored as
/// <typeparamref name="TValue"/> (the same type, or through <c>encode</c>).</summary>
internal sealed class FixedWidthWriter<T, TValue>(Field field, string column, int capacity, Func<T, TValue>? encode)
    : ColumnWriter<T>(field, column) where TValue : unmanaged
{
    private ValueBuffer<TValue> values = new(capacity, zeroed: false);
    private Validity validity;
    private int length;

    public override int Length => length;

    public override void Append(T value)
    {
        // typeof(T) == typeof(TValue) is a constant of the JIT's code for each instantiation: no branch at run time.
        values.Set(length++, typeof(T) == typeof(TValue) ? Unsafe.As<T, TValue>(ref value) : encode!(value));
    }

    internal override void PutNull()
    {
        validity.SetNull(length);
        values.Set(length++, default);
    }

    public override IArrowArray Build() => ArrowArrayFactory.BuildArray(
        new ArrayData(Field.DataType, length, validity.NullCount, 0, [validity.Build(length), values.Build(length)]));
}

/// <summary>A boolean column (one bit a value).</summary>
internal sealed class BooleanWriter(Field field, string column, int capacity) : ColumnWriter<bool>(field, column)
{
    private ValueBuffer<byte> bits = new((capacity + 7) / 8, zeroed: true);
    private Validity validity;
    private int length;

    public override int Length => length;

    public override void Append(bool value)
    {
        var span = bits.Reserve(length / 8, 1); // a new buffer is zeroed: only true bits are set
        if (value) span[0] |= (byte)(1 << (length % 8));
        length++;
    }

    internal override void PutNull()
    {
        validity.SetNull(length);
        Append(false);
    }

    public override IArrowArray Build() =>
        new BooleanArray(bits.Build((length + 7) / 8), validity.Build(length), length, validity.NullCount, 0);
}

/// <summary>A variable-width column (strings as UTF-8, byte arrays): 32-bit offsets and the bytes.</summary>
internal sealed class BytesWriter<T>(Field field, string column, int capacity, BytesWriter<T>.Encoder encode, Func<T, int> maxBytes,
    Func<T, int> size) : ColumnWriter<T>(field, column) where T : class
{
    /// <summary>Writes a value's bytes into the span (maxBytes(value) long), returning how many (size(value)).</summary>
    public delegate int Encoder(T value, Span<byte> buffer);

    private ValueBuffer<int> offsets = new(capacity + 1, zeroed: true); // offsets[0] = 0
    private ValueBuffer<byte> data = new(Math.Min(capacity * 16, 1 << 16), zeroed: false); // grown, or presized
    private Validity validity;
    private int length;
    private int end;

    public override int Length => length;

    /// <summary>Allocates the bytes of all values at once (counting them costs less than regrowing the buffer).</summary>
    public override void Presize(IEnumerable<T> values)
    {
        var total = 0L;
        foreach (var value in values) total += value is null ? 0 : size(value);
        if (length == 0) data = new(checked((int)Math.Min(total + 64, int.MaxValue)), zeroed: false);
    }

    public override void Append(T value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }
        // The bound (3 bytes a char) unless it would outgrow the buffer, then the exact size (a presized buffer fits it).
        var bound = maxBytes(value);
        var written = encode(value, data.Reserve(end, end + bound <= data.Capacity ? bound : size(value)));
        if ((long)end + written > int.MaxValue)
            throw new SchemaMismatchException(Column, "the column holds over 2 GiB of data: write fewer rows to a block");
        end += written;
        offsets.Set(++length, end);
    }

    internal override void PutNull()
    {
        validity.SetNull(length);
        offsets.Set(++length, end);
    }

    public override IArrowArray Build() => ArrowArrayFactory.BuildArray(new ArrayData(Field.DataType, length,
        validity.NullCount, 0, [validity.Build(length), offsets.Build(length + 1), data.Build(end)]));
}

/// <summary>A decimal128 column (through Arrow's builder: decimals are rare and their encoding is its business).</summary>
internal sealed class DecimalWriter(Field field, string column, int capacity) : ColumnWriter<decimal>(field, column)
{
    private readonly Decimal128Array.Builder builder = new Decimal128Array.Builder((Decimal128Type)field.DataType).Reserve(capacity);

    public override int Length => builder.Length;

    public override void Append(decimal value) => builder.Append(value);

    internal override void PutNull() => builder.AppendNull();

    public override IArrowArray Build() => builder.Build();
}
