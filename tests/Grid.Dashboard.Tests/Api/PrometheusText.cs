using System.Globalization;
using System.Text.RegularExpressions;

namespace Grid.Dashboard.Tests.Api;

/// <summary>One sample of Prometheus' text exposition format: its metric name, labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of Prometheus' text format (version 0.0.4), for the tests: every line is a <c># HELP</c>, a
/// <c># TYPE</c>, another comment, a blank line or a sample <c>name{label="value",…} value [timestamp]</c>; every sample
/// belongs to a family declared by a TYPE line before it; anything else fails with the line.
/// </summary>
public static partial class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];
    private static readonly string[] Suffixes = ["", "_total", "_bucket", "_sum", "_count", "_created"];

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        foreach (var (line, number) in text.Split('\n').Select((l, i) => (l.TrimEnd('\r'), i + 1)))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    Check(parts.Length == 4 && MetricName().IsMatch(parts[2]) && Types.Contains(parts[3]), line, number, "a TYPE line");
                    Check(families.TryAdd(parts[2], parts[3]), line, number, "one TYPE line per family");
                }
                else if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    Check(MetricName().IsMatch(parts[2]), line, number, "a HELP line");
                }
                continue;
            }
            var match = Sample().Match(line);
            Check(match.Success, line, number, "a sample line");
            var name = match.Groups["name"].Value;
            Check(Suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal) && families.ContainsKey(name[..^s.Length])), line, number,
                "a sample of a family declared by a TYPE line");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var body = match.Groups["labels"].Value;
            if (body.Length > 0)
            {
                var consumed = 0;
                foreach (Match label in Label().Matches(body))
                {
                    Check(label.Index == consumed, line, number, "labels name=\"value\" separated by commas");
                    Check(labels.TryAdd(label.Groups["name"].Value, Unescape(label.Groups["value"].Value)), line, number, "each label once");
                    consumed = label.Index + label.Length;
                }
                Check(consumed == body.Length, line, number, "labels name=\"value\" separated by commas");
            }
            var value = match.Groups["value"].Value;
            var parsed = value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : Fail(line, number, "a number"),
            };
            samples.Add(new PrometheusSample(name, labels, parsed));
        }
        return samples;
    }

    private static string Unescape(string value) => value.Replace("\\n", "\n").Replace("\\\"", "\"").Replace("\\\\", "\\");

    private static void Check(bool ok, string line, int number, string what)
    {
        if (!ok) Fail(line, number, what);
    }

    private static double Fail(string line, int number, string what) =>
        throw new FormatException($"Line {number} of the Prometheus text is not {what}: '{line}'");

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)( -?[0-9]+)?$""")]
    private static partial Regex Sample();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex Label();
}
