using System.Collections;
using System.Reflection;

namespace Grid.Data.Rows;

/// <summary>
/// The mapping between CLR types and Arrow column types, in both directions, and the names both are given in error
/// messages. One place, so that the record codec, <see cref="Row"/> and <see cref="Columns"/> agree on it.
/// </summary>
internal static class TypeMap
{
    /// <summary>DateTime and DateTimeOffset columns: microseconds (Ray's and pandas' usual unit) since the epoch, UTC.</summary>
    public static readonly TimestampType Timestamp = new(TimeUnit.Microsecond, "UTC");

    /// <summary>decimal columns: 38 digits, 18 after the point (pyarrow's usual choice; decimal's 28 digits fit when
    /// the value has at most 20 before the point and 18 after it).</summary>
    public static readonly Decimal128Type Decimal = new(38, 18);

    /// <summary>The column type a value of each scalar CLR type writes.</summary>
    private static readonly Dictionary<Type, IArrowType> Scalars = new()
    {
        [typeof(long)] = Int64Type.Default,
        [typeof(int)] = Int32Type.Default,
        [typeof(short)] = Int16Type.Default,
        [typeof(sbyte)] = Int8Type.Default,
        [typeof(ulong)] = UInt64Type.Default,
        [typeof(uint)] = UInt32Type.Default,
        [typeof(ushort)] = UInt16Type.Default,
        [typeof(byte)] = UInt8Type.Default,
        [typeof(double)] = DoubleType.Default,
        [typeof(float)] = FloatType.Default,
        [typeof(bool)] = BooleanType.Default,
        [typeof(string)] = StringType.Default,
        [typeof(byte[])] = BinaryType.Default,
        [typeof(DateTime)] = Timestamp,
        [typeof(DateTimeOffset)] = Timestamp,
        [typeof(DateOnly)] = Date32Type.Default,
        [typeof(decimal)] = Decimal,
    };

    /// <summary>The names error messages give CLR types (C# keywords where there is one).</summary>
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(long)] = "long", [typeof(int)] = "int", [typeof(short)] = "short", [typeof(sbyte)] = "sbyte",
        [typeof(ulong)] = "ulong", [typeof(uint)] = "uint", [typeof(ushort)] = "ushort", [typeof(byte)] = "byte",
        [typeof(double)] = "double", [typeof(float)] = "float", [typeof(bool)] = "bool", [typeof(string)] = "string",
        [typeof(decimal)] = "decimal", [typeof(object)] = "object",
    };

    /// <summary>The scalar CLR types with a column type, for error messages.</summary>
    public static string SupportedTypes =>
        string.Join(", ", Scalars.Keys.Select(Describe)) + ", their nullable forms, and T[], List<T> or IReadOnlyList<T> of them";

    /// <summary>
    /// The element type of a list-like CLR type: T[] (but not byte[], a binary value), List&lt;T&gt; or
    /// IReadOnlyList&lt;T&gt;; null for other types. These read from and write to Arrow list columns.
    /// </summary>
    public static Type? ListElement(Type type)
    {
        if (type.IsArray && type != typeof(byte[]) && type.GetArrayRank() == 1) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;
    }

    /// <summary>Whether values of <paramref name="type"/> can be a column (a scalar, a nullable scalar or a list of them).</summary>
    public static bool IsColumnType(Type type) => ArrowTypeOf(type, null) is not null;

    /// <summary>
    /// The column type values of <paramref name="type"/> write (Nullable&lt;T&gt; as T), or null when it has none.
    /// <paramref name="nullability"/> (of the property, when known) says whether list elements are nullable.
    /// </summary>
    public static IArrowType? ArrowTypeOf(Type type, NullabilityInfo? nullability)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (Scalars.TryGetValue(type, out var scalar)) return scalar;
        if (ListElement(type) is not { } element) return null;
        var elementNullability = nullability is null ? null
            : type.IsArray ? nullability.ElementType : nullability.GenericTypeArguments.FirstOrDefault();
        return ArrowTypeOf(element, elementNullability) is { } elementType
            ? new ListType(new Field("item", elementType, IsNullable(element, elementNullability)))
            : null;
    }

    /// <summary>
    /// Whether a column of <paramref name="type"/> is nullable: Nullable&lt;T&gt; is, other value types are not,
    /// reference types are unless their nullable annotation says not null (unknown annotations: nullable).
    /// </summary>
    public static bool IsNullable(Type type, NullabilityInfo? nullability) =>
        Nullable.GetUnderlyingType(type) is not null
        || (!type.IsValueType && nullability?.ReadState != NullabilityState.NotNull);

    /// <summary>
    /// The CLR type a <see cref="Row"/> holds for a column of <paramref name="type"/>, or null when rows cannot hold it.
    /// </summary>
    public static Type? ClrTypeOf(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Int64 => typeof(long),
        ArrowTypeId.Int32 => typeof(int),
        ArrowTypeId.Int16 => typeof(short),
        ArrowTypeId.Int8 => typeof(sbyte),
        ArrowTypeId.UInt64 => typeof(ulong),
        ArrowTypeId.UInt32 => typeof(uint),
        ArrowTypeId.UInt16 => typeof(ushort),
        ArrowTypeId.UInt8 => typeof(byte),
        ArrowTypeId.Double => typeof(double),
        ArrowTypeId.Float => typeof(float),
        ArrowTypeId.Boolean => typeof(bool),
        ArrowTypeId.String or ArrowTypeId.LargeString or ArrowTypeId.StringView => typeof(string),
        ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.BinaryView => typeof(byte[]),
        ArrowTypeId.Timestamp or ArrowTypeId.Date64 => typeof(DateTime),
        ArrowTypeId.Date32 => typeof(DateOnly),
        ArrowTypeId.Decimal128 => typeof(decimal),
        ArrowTypeId.List => typeof(IReadOnlyList<object?>),
        ArrowTypeId.Struct => typeof(Row),
        ArrowTypeId.Null => typeof(object),
        _ => null,
    };

    /// <summary>
    /// The column type inferred for a dynamic row column from its values (the first non-null one decides; a list's
    /// element type comes from its static element type, else from the first non-null element of any of the values;
    /// a struct's fields likewise from its rows). Null type when every value is null.
    /// </summary>
    public static IArrowType Infer(IEnumerable<object?> values)
    {
        var first = values.FirstOrDefault(v => v is not null);
        switch (first)
        {
            case null:
                return NullType.Default;
            case Row row:
                return new StructType(row.Keys.Select(column => new Field(column,
                    Infer(values.OfType<Row>().Select(r => r.TryGetValue(column, out var v) ? v : null)), true)).ToList());
            case byte[] or string:
                return Scalars[first.GetType()];
            case IEnumerable:
                var element = first.GetType().GetInterfaces().Append(first.GetType())
                    .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                    .Select(i => i.GetGenericArguments()[0]).FirstOrDefault(e => e != typeof(object));
                var elementType = element is not null && ArrowTypeOf(element, null) is { } known ? known
                    : Infer(values.OfType<IEnumerable>().SelectMany(list => list.Cast<object?>()));
                return new ListType(new Field("item", elementType, true));
            default:
                return Scalars.TryGetValue(first.GetType(), out var scalar) ? scalar
                    : throw new ArgumentException(
                        $"A row value of type {Describe(first.GetType())} has no column type; rows hold {SupportedTypes}, Row (structs) and null.");
        }
    }

    /// <summary>A CLR type as C# writes it: long, long?, string, List&lt;long&gt;, Person.</summary>
    public static string Describe(Type type)
    {
        if (Keywords.TryGetValue(type, out var keyword)) return keyword;
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Describe(underlying) + "?";
        if (type.IsArray) return Describe(type.GetElementType()!) + "[]";
        if (!type.IsGenericType) return type.Name;
        var name = type.Name[..type.Name.IndexOf('`')];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }

    /// <summary>An Arrow type as error messages name it: int64, string, timestamp[us, UTC], list&lt;int64&gt;.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        StringType => "string",
        LargeStringType => "large_string",
        TimestampType t => $"timestamp[{UnitName(t.Unit)}{(string.IsNullOrEmpty(t.Timezone) ? "" : ", " + t.Timezone)}]",
        Decimal128Type d => $"decimal128({d.Precision}, {d.Scale})",
        ListType l => $"list<{Describe(l.ValueDataType)}>",
        StructType s => $"struct<{string.Join(", ", s.Fields.Select(f => $"{f.Name}: {Describe(f.DataType)}"))}>",
        _ => type.Name,
    };

    private static string UnitName(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };
}
