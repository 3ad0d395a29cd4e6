namespace Grid.Chaos;

/// <summary>
/// What a chaos run printed: lines <c>name: value unit</c> in run order, and the problems that make it
/// fail (lost results, failed calls or rounds, order broken, a fault that was not done or not detected).
/// </summary>
public sealed class ChaosReport
{
    private readonly List<(string Name, string Value)> _lines = [];
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;
    public bool Passed => _problems.Count == 0;

    public void Add(string name, string value) => _lines.Add((name, value));

    public void Add(string name, TimeSpan? value, string missing = "n/a") => Add(name, value is { } v ? $"{v.TotalSeconds:F2} s" : missing);

    /// <summary>Adds a line and, when <paramref name="ok"/> is false, a problem naming it.</summary>
    public void Check(bool ok, string name, string value)
    {
        Add(name, value);
        if (!ok) _problems.Add($"{name}: {value}");
    }

    public void Problem(string text) => _problems.Add(text);

    public void WriteTo(TextWriter output)
    {
        foreach (var (name, value) in _lines) output.WriteLine($"{name}: {value}");
        output.WriteLine(Passed ? "verdict: PASS" : $"verdict: FAIL ({string.Join("; ", _problems)})");
    }
}
