using System.Globalization;

namespace Grid.Bench.Harness;

/// <summary>
/// Prints figures as "name: value unit" and each Grid figure's ratio to its baseline as
/// "name/baseline: ratio" (higher is better for Grid in every ratio, latencies included).
/// </summary>
public sealed class Report(TextWriter output)
{
    private readonly List<(string Name, double Value, string Unit)> _figures = [];

    public IReadOnlyList<(string Name, double Value, string Unit)> Figures => _figures;

    /// <summary>Appended to every name (".tls" for the TLS half of a <c>--tls</c> run).</summary>
    public string Suffix { get; init; } = "";

    public void Figure(string name, double value, string unit)
    {
        name += Suffix;
        _figures.Add((name, value, unit));
        output.WriteLine($"{name}: {Format(value)} {unit}");
        output.Flush();
    }

    public void Ratio(string name, double ratio)
    {
        name += Suffix;
        output.WriteLine($"{name}/baseline: {ratio.ToString("0.00", CultureInfo.InvariantCulture)}");
        output.Flush();
    }

    /// <summary>Prints "name/over: ratio", a figure against another of the same run rather than a baseline (e.g. 2 nodes over 1).</summary>
    public void Ratio(string name, string over, double ratio)
    {
        output.WriteLine($"{name + Suffix}/{over}: {ratio.ToString("0.00", CultureInfo.InvariantCulture)}");
        output.Flush();
    }

    public void Note(string text)
    {
        output.WriteLine($"# {text}");
        output.Flush();
    }

    private static string Format(double value) =>
        value.ToString(value >= 100 ? "0" : value >= 1 ? "0.0" : "0.000", CultureInfo.InvariantCulture);
}
