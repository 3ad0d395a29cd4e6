using System.Text.Json;

namespace Grid.Data.Formats;

/// <summary>
/// The inferred type of a JSON value, narrowed by every value seen: nothing yet (only nulls), bool, int64 (every
/// number integral), double, string, a list of one element shape, or a struct of named member shapes (in the order
/// first seen). Values that disagree (a number and a string, an object and a list) make it string: strings stay
/// strings, other values are kept as their JSON text.
/// </summary>
internal sealed class JsonShape
{
    enum Kind { Null, Boolean, Int64, Double, String, List, Struct }

    Kind _kind;
    JsonShape? _element;
    OrderedDictionary<string, JsonShape>? _members;

    /// <summary>The members of a struct shape (the columns, for the shape of a file's lines).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonShape>> Members => _members is null ? [] : [.. _members];

    public void Observe(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False:
                Narrow(Kind.Boolean);
                break;
            case JsonValueKind.Number:
                Narrow(value.TryGetInt64(out _) ? Kind.Int64 : Kind.Double);
                break;
            case JsonValueKind.String:
                Narrow(Kind.String);
                break;
            case JsonValueKind.Array:
                if (Narrow(Kind.List))
                    foreach (var item in value.EnumerateArray())
                        (_element ??= new()).Observe(item);
                break;
            case JsonValueKind.Object:
                if (Narrow(Kind.Struct))
                    foreach (var member in value.EnumerateObject())
                    {
                        _members ??= new(StringComparer.Ordinal);
                        if (!_members.TryGetValue(member.Name, out var shape))
                            _members.Add(member.Name, shape = new());
                        shape.Observe(member.Value);
                    }
                break;
        }
    }

    /// <summary>Takes a value of <paramref name="kind"/>; whether the shape still is that kind (a list or struct looks inside).</summary>
    bool Narrow(Kind kind)
    {
        if (_kind == Kind.Null || _kind == kind)
            _kind = kind;
        else if (_kind is Kind.Int64 or Kind.Double && kind is Kind.Int64 or Kind.Double)
            _kind = Kind.Double;
        else
        {
            _kind = Kind.String;
            _element = null;
            _members = null;
        }
        return _kind == kind;
    }

    /// <summary>The scalar kind a column of this shape is built as (null, and a struct without members, are strings).</summary>
    ScalarKind? Scalar => _kind switch
    {
        Kind.Boolean => ScalarKind.Boolean,
        Kind.Int64 => ScalarKind.Int64,
        Kind.Double => ScalarKind.Double,
        Kind.List => null,
        Kind.Struct when _members is { Count: > 0 } => null,
        _ => ScalarKind.String,
    };

    public IArrowType ArrowType => Scalar is { } scalar ? ScalarColumns.ArrowType(scalar)
        : _kind == Kind.List ? new ListType(new Field("item", Element.ArrowType, nullable: true))
        : new StructType(_members!.Select(m => new Field(m.Key, m.Value.ArrowType, nullable: true)).ToList());

    JsonShape Element => _element ??= new(); // a list only ever empty has string elements

    /// <summary>
    /// An array of this shape from <paramref name="values"/> (null: a missing member or a JSON null). The values
    /// are those the shape observed, so each fits it.
    /// </summary>
    public IArrowArray Build(IReadOnlyList<JsonElement?> values)
    {
        if (Scalar is { } scalar)
            return ScalarColumns.Build(scalar, new Scalars(values, scalar));
        var validity = new ArrowBuffer.BitmapBuilder(values.Count);
        foreach (var value in values)
            validity.Append(IsValue(value));
        var nulls = validity.UnsetBitCount;
        if (_kind == Kind.List)
        {
            var offsets = new ArrowBuffer.Builder<int>(values.Count + 1).Append(0);
            var items = new List<JsonElement?>();
            foreach (var value in values)
            {
                if (IsValue(value))
                    items.AddRange(value!.Value.EnumerateArray().Select(e => (JsonElement?)e));
                offsets.Append(items.Count);
            }
            return new ListArray(ArrowType, values.Count, offsets.Build(), Element.Build(items), validity.Build(), nulls, 0);
        }
        var children = _members!.Select(m => m.Value.Build(values.Select(v =>
            IsValue(v) && v!.Value.TryGetProperty(m.Key, out var member) ? member : (JsonElement?)null).ToList()));
        return new StructArray(ArrowType, values.Count, children.ToList(), validity.Build(), nulls, 0);
    }

    static bool IsValue(JsonElement? value) => value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };

    /// <summary>JSON values as a scalar column; a string column keeps non-string values as their JSON text.</summary>
    sealed class Scalars(IReadOnlyList<JsonElement?> values, ScalarKind kind) : IScalarSource
    {
        public int Length => values.Count;
        public bool IsNull(int row) => !IsValue(values[row]);
        public long Int64(int row) => values[row]!.Value.GetInt64();
        public double Double(int row) => values[row]!.Value.GetDouble();
        public bool Boolean(int row) => values[row]!.Value.GetBoolean();
        public DateTimeOffset Timestamp(int row) => throw new NotSupportedException($"JSON reads infer no {kind} columns.");
        public string String(int row) => values[row]!.Value is { ValueKind: JsonValueKind.String } s ? s.GetString()! : values[row]!.Value.GetRawText();
    }
}
