using System.Collections;

namespace Grid.Data.Rows;

// The writers that wrap or nest other writers: nullable values, lists, structs; and the null-typed column.

/// <summary>A Nullable&lt;T&gt; into the column of T (same field).</summary>
internal sealed class NullableWriter<T>(ColumnWriter<T> inner) : ColumnWriter<T?>(inner.Field, inner.Column) where T : struct
{
    public override int Length => inner.Length;

    public override void Append(T? value)
    {
        if (value.HasValue) inner.Append(value.GetValueOrDefault());
        else AppendNull();
    }

    internal override void PutNull() => inner.PutNull();

    public override void AppendObject(object? value) => inner.AppendObject(value);

    public override IArrowArray Build() => inner.Build();
}

/// <summary>A list column of <typeparamref name="TElement"/> values (any IEnumerable through <see cref="AppendObject"/>).</summary>
internal sealed class ListWriter<TElement>(Field field, string column, int capacity, ColumnWriter<TElement> elements)
    : ColumnWriter<IReadOnlyList<TElement>>(field, column)
{
    private ValueBuffer<int> offsets = new(capacity + 1, zeroed: true); // offsets[0] = 0
    private Validity validity;
    private int length;

    public override int Length => length;

    public override void Append(IReadOnlyList<TElement> value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }
        for (var i = 0; i < value.Count; i++) elements.Append(value[i]);
        offsets.Set(++length, elements.Length);
    }

    public override void AppendObject(object? value)
    {
        if (value is null || value is IReadOnlyList<TElement>)
        {
            Append((IReadOnlyList<TElement>)value!);
            return;
        }
        if (value is not IEnumerable items || value is string)
            throw new SchemaMismatchException(Column, $"the value is {TypeMap.Describe(value.GetType())} {RowValues.Format(value)} but the column is a list");
        foreach (var item in items) elements.AppendObject(item);
        offsets.Set(++length, elements.Length);
    }

    internal override void PutNull()
    {
        validity.SetNull(length);
        offsets.Set(++length, elements.Length);
    }

    public override IArrowArray Build()
    {
        return new ListArray(Field.DataType, length, offsets.Build(length + 1), elements.Build(), validity.Build(length), validity.NullCount, 0);
    }
}

/// <summary>A struct column of <see cref="Row"/>s (or other string-keyed dictionaries): a field a row lacks is null.</summary>
internal sealed class StructWriter : ColumnWriter<Row>
{
    private readonly ColumnWriter[] fields;
    private Validity validity;
    private int length;

    public StructWriter(Field field, string column, int capacity) : base(field, column) =>
        fields = ((StructType)field.DataType).Fields
            .Select(f => ColumnWriters.Create(TypeMap.ClrTypeOf(f.DataType)!, f, capacity, $"{column}.{f.Name}")).ToArray();

    public override int Length => length;

    public override void Append(Row value) => AppendObject(value);

    public override void AppendObject(object? value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }
        if (value is not IReadOnlyDictionary<string, object?> row)
            throw new SchemaMismatchException(Column, $"the value is {TypeMap.Describe(value.GetType())} {RowValues.Format(value)} but the column is a struct (write a Row)");
        foreach (var writer in fields) writer.AppendObject(row.TryGetValue(writer.Field.Name, out var v) ? v : null);
        length++;
    }

    internal override void PutNull()
    {
        validity.SetNull(length++);
        foreach (var writer in fields) writer.PutNull();
    }

    public override IArrowArray Build() =>
        new StructArray(Field.DataType, length, fields.Select(f => f.Build()), validity.Build(length), validity.NullCount);
}

/// <summary>A column with no non-null value and no type (Arrow's null type).</summary>
internal sealed class NullWriter(Field field, string column) : ColumnWriter<object?>(field, column)
{
    private int length;

    public override int Length => length;

    public override void Append(object? value)
    {
        if (value is not null)
            throw new SchemaMismatchException(Column, $"the value {RowValues.Format(value)} was given to a column of the null type");
        length++;
    }

    internal override void PutNull() => length++;

    public override IArrowArray Build() => new NullArray(length);
}
