using System.Collections;
using System.Globalization;
using System.Text;

namespace Grid.Data.Rows;

/// <summary>
/// Conversion, equality and display of the values a <see cref="Row"/> holds: what <see cref="Row.Get{T}"/> and the
/// writing of dynamic rows into typed columns use, and what <see cref="Row.Equals(object?)"/> and
/// <see cref="Row.ToString"/> compare and print.
/// </summary>
internal static class RowValues
{
    private static readonly HashSet<Type> Numbers =
    [
        typeof(long), typeof(int), typeof(short), typeof(sbyte), typeof(ulong), typeof(uint), typeof(ushort), typeof(byte),
        typeof(double), typeof(float), typeof(decimal),
    ];

    /// <summary>
    /// <paramref name="value"/> as a <typeparamref name="T"/>: itself when it is one; numbers to other numbers
    /// (Convert.ChangeType: widening always, narrowing when the value fits); DateTime, DateTimeOffset and DateOnly to
    /// each other; lists element by element to T[], List&lt;T&gt; or IReadOnlyList&lt;T&gt;. Null gives null for
    /// reference and nullable types. Anything else throws <see cref="SchemaMismatchException"/> naming
    /// <paramref name="column"/>.
    /// </summary>
    public static T Convert<T>(object? value, string column) => value is T typed ? typed : (T)ConvertTo(value, typeof(T), column)!;

    private static object? ConvertTo(object? value, Type target, string column)
    {
        if (value is null)
        {
            return !target.IsValueType || Nullable.GetUnderlyingType(target) is not null ? null
                : throw new SchemaMismatchException(column, $"the value is null but {TypeMap.Describe(target)} is not nullable: ask for {TypeMap.Describe(target)}?");
        }
        var type = Nullable.GetUnderlyingType(target) ?? target;
        if (type.IsInstanceOfType(value)) return value;
        try
        {
            if (Numbers.Contains(type) && Numbers.Contains(value.GetType()))
                return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
            if (Instant(value) is { } instant)
            {
                if (type == typeof(DateTime)) return instant.UtcDateTime;
                if (type == typeof(DateTimeOffset)) return instant;
                if (type == typeof(DateOnly)) return DateOnly.FromDateTime(instant.UtcDateTime);
            }
            if (TypeMap.ListElement(type) is { } element && value is IEnumerable items and not string and not byte[])
            {
                var converted = items.Cast<object?>().Select(item => ConvertTo(item, element, column)).ToArray();
                var array = System.Array.CreateInstance(element, converted.Length);
                for (var i = 0; i < converted.Length; i++) array.SetValue(converted[i], i);
                return type.IsArray || type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? array
                    : Activator.CreateInstance(type, array);
            }
        }
        catch (OverflowException)
        {
            throw new SchemaMismatchException(column, $"the value {Format(value)} does not fit in {TypeMap.Describe(type)}");
        }
        throw new SchemaMismatchException(column,
            $"the value is {TypeMap.Describe(value.GetType())} {Format(value)}, which cannot be converted to {TypeMap.Describe(target)}");
    }

    /// <summary>A DateTime (Local converted, Unspecified taken as UTC), DateTimeOffset or DateOnly (midnight UTC) as an instant.</summary>
    public static DateTimeOffset? Instant(object value) => value switch
    {
        DateTime t => new DateTimeOffset(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateTimeOffset o => o,
        DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        _ => null,
    };

    /// <summary>Value equality: lists (and byte arrays) element by element, rows by content, the rest by Equals.</summary>
    public static bool ValueEquals(object? a, object? b)
    {
        if (a is IEnumerable x and not string && b is IEnumerable y and not string && a is not Row && b is not Row)
        {
            var ex = x.GetEnumerator();
            var ey = y.GetEnumerator();
            while (true)
            {
                var more = ex.MoveNext();
                if (more != ey.MoveNext()) return false;
                if (!more) return true;
                if (!ValueEquals(ex.Current, ey.Current)) return false;
            }
        }
        return object.Equals(a, b);
    }

    /// <summary>A hash consistent with <see cref="ValueEquals"/>.</summary>
    public static int ValueHash(object? value)
    {
        if (value is not IEnumerable items || value is string || value is Row) return value?.GetHashCode() ?? 0;
        var hash = new HashCode();
        foreach (var item in items) hash.Add(ValueHash(item));
        return hash.ToHashCode();
    }

    /// <summary>A value as <see cref="Row.ToString"/> prints it: strings quoted, lists in brackets, bytes in hex, times in ISO 8601.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        bool b => b ? "true" : "false",
        byte[] bytes => "0x" + System.Convert.ToHexString(bytes),
        DateTime t => t.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("o", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Row row => row.ToString(),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Column names as messages list them.</summary>
    public static string List(IEnumerable<string> columns)
    {
        var text = new StringBuilder();
        foreach (var column in columns) text.Append(text.Length == 0 ? "" : ", ").Append(column);
        return text.Length == 0 ? "(none)" : text.ToString();
    }
}
