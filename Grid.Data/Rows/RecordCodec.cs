using System.Linq.Expressions;
using System.Reflection;

namespace Grid.Data.Rows;

/// <summary>
/// Rows of a class, record or struct: one column per public readable property (base class first, then declaration
/// order), named by the property or its <see cref="ColumnAttribute"/> (on the property or on the constructor parameter
/// of the same name). Reading builds each row through the public constructor with the most parameters that all match
/// properties by name and type (a record's primary constructor, or a parameterless one) and then sets the other
/// settable or init properties; get-only properties no constructor takes (computed ones) are written but not read.
/// Reading and writing run delegates compiled once per type (System.Linq.Expressions).
/// </summary>
internal sealed class RecordCodec<T> : RowCodec<T>
{
    private readonly RecordColumn[] columns;
    private readonly Lazy<Func<ColumnReader[], int, T[]>> readAll;
    private readonly List<RecordColumn> readColumns = [];

    public RecordCodec()
    {
        var properties = PropertiesOf(typeof(T));
        if (properties.Count == 0)
            throw new DataException($"{TypeMap.Describe(typeof(T))} has no public properties to make columns of: use a record, a class with properties, or Row.");
        var nullability = new NullabilityInfoContext();
        var parameters = typeof(T).GetConstructors().SelectMany(c => c.GetParameters()).ToList();
        columns = properties.Select(property =>
        {
            var name = property.GetCustomAttribute<ColumnAttribute>()?.Name
                ?? parameters.FirstOrDefault(p => p.Name == property.Name && p.GetCustomAttribute<ColumnAttribute>() is not null)?.GetCustomAttribute<ColumnAttribute>()!.Name
                ?? property.Name;
            var info = nullability.Create(property);
            var type = TypeMap.ArrowTypeOf(property.PropertyType, info) ?? throw new SchemaMismatchException(name,
                $"the property {Describe(property)} is {TypeMap.Describe(property.PropertyType)}, which has no column type; columns hold {TypeMap.SupportedTypes}");
            var field = new Field(name, type, TypeMap.IsNullable(property.PropertyType, info));
            return new RecordColumn(property, name, field, PropertyWriters.Create<T>(field, property.PropertyType, row => Expression.Property(row, property)));
        }).ToArray();
        Schema = new Schema(columns.Select(c => c.Field), null);
        readAll = new(CompileReader);
    }

    public override Schema Schema { get; }

    public override IReadOnlyList<T> Read(RecordBatch batch)
    {
        var read = readAll.Value;
        var readers = new ColumnReader[readColumns.Count];
        for (var k = 0; k < readers.Length; k++)
        {
            var column = readColumns[k];
            var type = column.Property.PropertyType;
            var array = RowCodecs.FindColumn(batch, column.Name) ?? throw new SchemaMismatchException(column.Name,
                $"{TypeMap.Describe(typeof(T))} reads the property {column.Property.Name} ({TypeMap.Describe(type)}) from this column but the block has none; its columns are {RowCodecs.ColumnsOf(batch)}");
            readers[k] = ColumnReaders.Create(type, array, row => new SchemaMismatchException(column.Name,
                    $"row {row} is null but the property {Describe(column.Property)} is {TypeMap.Describe(type)}, which is not nullable: declare it {TypeMap.Describe(type)}? to read nulls"))
                ?? throw new SchemaMismatchException(column.Name,
                    $"the property {Describe(column.Property)} is {TypeMap.Describe(type)} but the column is {TypeMap.Describe(array.Data.DataType)}");
        }
        return read(readers, batch.Length);
    }

    /// <summary>A block of <paramref name="rows"/> with <see cref="Schema"/>; <paramref name="like"/> is not used (T decides).</summary>
    public override RecordBatch Write(IReadOnlyList<T> rows, Schema? like = null)
    {
        if (!typeof(T).IsValueType)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i] is null) throw new ArgumentException($"Row {i} is null: a block holds {TypeMap.Describe(typeof(T))} rows, not nulls.", nameof(rows));
            }
        }
        return new RecordBatch(Schema, columns.Select(c => c.Writer.Write(rows)), rows.Count);
    }

    /// <summary>
    /// Compiles, for the constructor and setters chosen, a loop that makes every row of a block:
    /// <c>(readers, n) =&gt; { r0 = (ColumnReader&lt;P0&gt;)readers[0]; …; rows = new T[n];
    /// for (i = 0; i &lt; n; i++) rows[i] = new T(r0.Get(i), …) { Pk = rk.Get(i), … }; return rows; }</c>.
    /// </summary>
    private Func<ColumnReader[], int, T[]> CompileReader()
    {
        var byName = columns.ToDictionary(c => c.Property.Name);
        var constructor = typeof(T).GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault(c => c.GetParameters().All(p => p.Name is not null && byName.TryGetValue(p.Name, out var column)
                && p.ParameterType.IsAssignableFrom(column.Property.PropertyType)));
        if (constructor is null && !typeof(T).IsValueType)
            throw new DataException($"{TypeMap.Describe(typeof(T))} cannot be made from rows: give it a public constructor whose parameters are named as its properties (a record's primary constructor), or a parameterless one and settable properties.");
        var parameters = constructor?.GetParameters() ?? [];
        readColumns.AddRange(parameters.Select(p => byName[p.Name!]));
        var setters = columns.Where(c => !readColumns.Contains(c) && c.Property.SetMethod is { IsPublic: true }).ToList();
        readColumns.AddRange(setters);

        var readersParameter = Expression.Parameter(typeof(ColumnReader[]), "readers");
        var count = Expression.Parameter(typeof(int), "count");
        var i = Expression.Variable(typeof(int), "i");
        var rows = Expression.Variable(typeof(T[]), "rows");
        var readers = readColumns.Select(c => Expression.Variable(typeof(ColumnReader<>).MakeGenericType(c.Property.PropertyType))).ToArray();
        Expression Value(RecordColumn column, Type type)
        {
            Expression value = Expression.Call(readers[readColumns.IndexOf(column)], "Get", null, i);
            return value.Type == type ? value : Expression.Convert(value, type);
        }
        var created = constructor is null ? Expression.New(typeof(T))
            : Expression.New(constructor, parameters.Select(p => Value(byName[p.Name!], p.ParameterType)));
        var row = setters.Count == 0 ? (Expression)created
            : Expression.MemberInit(created, setters.Select(s => Expression.Bind(s.Property, Value(s, s.Property.PropertyType))));
        var done = Expression.Label("done");
        var body = Expression.Block(readers.Append(i).Append(rows),
            readers.Select((r, k) => (Expression)Expression.Assign(r, Expression.Convert(Expression.ArrayIndex(readersParameter, Expression.Constant(k)), r.Type)))
                .Append(Expression.Assign(rows, Expression.NewArrayBounds(typeof(T), count)))
                .Append(Expression.Assign(i, Expression.Constant(0)))
                .Append(Expression.Loop(Expression.IfThenElse(Expression.LessThan(i, count),
                    Expression.Block(Expression.Assign(Expression.ArrayAccess(rows, i), row), Expression.PostIncrementAssign(i)),
                    Expression.Break(done)), done))
                .Append(rows));
        return Expression.Lambda<Func<ColumnReader[], int, T[]>>(body, readersParameter, count).Compile();
    }

    /// <summary>Public readable instance properties (no indexers), base class first, each class's in declaration order.</summary>
    private static List<PropertyInfo> PropertiesOf(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType) chain.Insert(0, t);
        return chain.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                .OrderBy(p => p.MetadataToken))
            .GroupBy(p => p.Name).Select(g => g.Last()) // an overriding or hiding property replaces the base one
            .ToList();
    }

    private static string Describe(PropertyInfo property) => $"{TypeMap.Describe(typeof(T))}.{property.Name}";

    private sealed record RecordColumn(PropertyInfo Property, string Name, Field Field, PropertyWriter<T> Writer);
}

/// <summary>Writes one column of a block from a value of each row.</summary>
internal abstract class PropertyWriter<TRow>
{
    public abstract IArrowArray Write(IReadOnlyList<TRow> rows);
}

/// <summary>A column from a compiled getter of each row (the writer's value type: lists as IReadOnlyList&lt;T&gt;).</summary>
internal sealed class PropertyWriter<TRow, TValue>(Type clr, Field field, Func<TRow, TValue> get) : PropertyWriter<TRow>
{
    public override IArrowArray Write(IReadOnlyList<TRow> rows)
    {
        var writer = (ColumnWriter<TValue>)ColumnWriters.Create(clr, field, rows.Count, field.Name);
        writer.Presize(rows.Select(get));
        if (rows is TRow[] array)
        {
            foreach (var row in array) writer.Append(get(row));
        }
        else
        {
            for (var i = 0; i < rows.Count; i++) writer.Append(get(rows[i]));
        }
        return writer.Build();
    }
}

internal static class PropertyWriters
{
    /// <summary>The writer of <paramref name="field"/> from <paramref name="value"/>(row), a <paramref name="clr"/> value.</summary>
    public static PropertyWriter<TRow> Create<TRow>(Field field, Type clr, Func<ParameterExpression, Expression> value)
    {
        var valueType = ColumnWriters.ValueType(clr);
        var row = Expression.Parameter(typeof(TRow), "row");
        var body = value(row);
        if (body.Type != valueType) body = Expression.Convert(body, valueType);
        var getter = Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(TRow), valueType), body, row).Compile();
        return (PropertyWriter<TRow>)Activator.CreateInstance(typeof(PropertyWriter<,>).MakeGenericType(typeof(TRow), valueType), clr, field, getter)!;
    }
}
