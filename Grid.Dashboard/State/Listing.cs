using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Grid.Dashboard.Web;
using Grid.State;
using Microsoft.AspNetCore.Http;

namespace Grid.Dashboard.State;

/// <summary>
/// Filters and pages every listing the same way: <c>limit</c> (1–10000, default 100) and <c>offset</c> (default 0) page;
/// every other query parameter filters on the record's JSON property of that name (case-insensitive name and value;
/// a list property matches when one of its items does; several parameters must all match). A parameter that names no
/// filterable property is refused (400) with the list of those there are. <c>node</c> and <c>job</c> stand for
/// <c>nodeId</c> and <c>jobId</c>, as <c>grid list --filter</c> users write them.
/// </summary>
internal static class Listing
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["node"] = "nodeId",
        ["job"] = "jobId",
        ["class"] = "className",
    };

    /// <summary>The page of <paramref name="items"/> (already in their listing order) that the request's query asks for.</summary>
    public static Page<T> Query<T>(IEnumerable<T> items, IQueryCollection query, string kind)
    {
        var limit = Number(query, "limit", DefaultLimit, 1, MaxLimit);
        var offset = Number(query, "offset", 0, 0, int.MaxValue);
        var fields = Fields<T>.ByName;
        var filters = new List<(Func<object, IEnumerable<string>> Values, string Wanted)>();
        foreach (var (key, values) in query)
        {
            if (key.Equals("limit", StringComparison.OrdinalIgnoreCase) || key.Equals("offset", StringComparison.OrdinalIgnoreCase)) continue;
            var name = !fields.ContainsKey(key) && Aliases.TryGetValue(key, out var alias) ? alias : key;
            if (!fields.TryGetValue(name, out var field))
                throw new ApiRequestException(StatusCodes.Status400BadRequest,
                    $"'{key}' is not a field of {kind}; filter on one of: {string.Join(", ", fields.Keys)} (and page with limit, offset).");
            foreach (var value in values) filters.Add((field, value ?? ""));
        }
        var matches = items.Where(item => filters.All(f => f.Values(item!).Any(v => string.Equals(v, f.Wanted, StringComparison.OrdinalIgnoreCase)))).ToList();
        return new Page<T>([.. matches.Skip(offset).Take(limit)], matches.Count, offset, limit);
    }

    private static int Number(IQueryCollection query, string name, int fallback, int min, int max)
    {
        var text = query[name].ToString();
        if (text.Length == 0) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ApiRequestException(StatusCodes.Status400BadRequest, $"{name}={text} is not allowed: give a whole number from {min} to {(max == int.MaxValue ? "up" : max)}.");
        return value;
    }

    /// <summary>The filterable properties of <typeparamref name="T"/> by JSON name: text, numbers, flags and lists of text.</summary>
    private static class Fields<T>
    {
        // The API's JSON names (HeadApi.Json's policy), read through a resolver of their own: HeadApi.Json may not be locked yet.
        private static readonly JsonSerializerOptions Metadata = new(HeadApi.Json) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

        public static readonly IReadOnlyDictionary<string, Func<object, IEnumerable<string>>> ByName = Build();

        private static Dictionary<string, Func<object, IEnumerable<string>>> Build()
        {
            var info = Metadata.GetTypeInfo(typeof(T));
            var fields = new Dictionary<string, Func<object, IEnumerable<string>>>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in info.Properties)
            {
                if (property.Get is not { } get) continue;
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long) || type == typeof(double))
                    fields[property.Name] = item => get(item) is { } v ? [Text(v)] : [];
                else if (typeof(IEnumerable<string>).IsAssignableFrom(type) || typeof(IEnumerable<string?>).IsAssignableFrom(type))
                    fields[property.Name] = item => get(item) is IEnumerable<string?> list ? list.OfType<string>() : [];
            }
            return fields;
        }

        private static string Text(object value) => value switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }
}
