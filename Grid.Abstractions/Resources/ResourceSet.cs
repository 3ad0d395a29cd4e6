using System.Collections.Immutable;
using System.Globalization;

namespace Grid;

/// <summary>
/// An amount of named resources ("CPU", "GPU", "memory", custom names). Amounts are fractional, as
/// in Ray (0.5 GPU); they are kept in fixed point (1/10000 units) so that repeated acquire/release
/// cycles never drift.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class ResourceSet : IEquatable<ResourceSet>
{
    public const string Cpu = "CPU";
    public const string Gpu = "GPU";
    public const string Memory = "memory";
    private const double Scale = 10_000;

    public static readonly ResourceSet Empty = new(ImmutableSortedDictionary<string, long>.Empty);

    [Id(0)] private readonly ImmutableSortedDictionary<string, long> _units;

    private ResourceSet(ImmutableSortedDictionary<string, long> units) => _units = units;

    public static ResourceSet From(IEnumerable<KeyValuePair<string, double>> amounts)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (name, amount) in amounts)
        {
            if (amount < 0 || double.IsNaN(amount))
                throw new ArgumentOutOfRangeException(nameof(amounts), $"Resource '{name}' has a negative amount ({amount}); resource amounts must be >= 0.");
            var units = (long)Math.Round(amount * Scale);
            if (units > 0) b[name] = b.TryGetValue(name, out var u) ? u + units : units;
        }
        return new ResourceSet(b.ToImmutable());
    }

    /// <summary>A set from amounts in <see cref="Units"/> (non-positive ones are left out), e.g. a ledger's snapshot.</summary>
    public static ResourceSet FromUnits(IEnumerable<KeyValuePair<string, long>> units)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (name, u) in units)
            if (u > 0) b[name] = u;
        return new ResourceSet(b.ToImmutable());
    }

    [NonSerialized] private KeyValuePair<string, long>[]? _flat;

    /// <summary>
    /// The amounts in fixed-point units of 1/10,000, for exact ledgers that keep their own mutable
    /// counts (a raylet's, per task): listed once per set, then read without allocating.
    /// </summary>
    public ReadOnlySpan<KeyValuePair<string, long>> Units => _flat ??= [.. _units];

    public static ResourceSet Of(params (string Name, double Amount)[] amounts) =>
        From(amounts.Select(a => KeyValuePair.Create(a.Name, a.Amount)));

    public bool IsEmpty => _units.Count == 0;

    // 0 unknown, 1 plain, 2 names a placement group's resources; computed once (a task's set is reused for every submission).
    [NonSerialized] private int _plain;

    /// <summary>True when no name is a placement group's (see <see cref="BundleResources"/>).</summary>
    public bool IsPlain
    {
        get
        {
            if (_plain == 0) _plain = _units.Keys.Any(BundleResources.IsGroupResource) ? 2 : 1;
            return _plain == 1;
        }
    }
    public IEnumerable<string> Names => _units.Keys;
    public double this[string name] => _units.TryGetValue(name, out var u) ? u / Scale : 0;
    public IReadOnlyDictionary<string, double> ToDictionary() => _units.ToDictionary(kv => kv.Key, kv => kv.Value / Scale);

    /// <summary>True when every amount here is available in <paramref name="available"/>.</summary>
    public bool FitsIn(ResourceSet available)
    {
        foreach (var (name, units) in _units)
            if (!available._units.TryGetValue(name, out var have) || have < units) return false;
        return true;
    }

    /// <summary>The names whose amounts <paramref name="available"/> cannot cover.</summary>
    public IEnumerable<string> MissingFrom(ResourceSet available) =>
        _units.Where(kv => !available._units.TryGetValue(kv.Key, out var have) || have < kv.Value).Select(kv => kv.Key);

    public bool Contains(string name) => _units.ContainsKey(name);

    /// <summary>The amounts whose names satisfy <paramref name="keep"/>.</summary>
    public ResourceSet Only(Func<string, bool> keep)
    {
        ImmutableSortedDictionary<string, long>.Builder? b = null; // built only when something goes: the common case keeps all
        foreach (var name in _units.Keys)
            if (!keep(name)) (b ??= _units.ToBuilder()).Remove(name);
        return b is null ? this : new ResourceSet(b.ToImmutable());
    }

    public ResourceSet Add(ResourceSet other) => Combine(other, +1);
    public ResourceSet Subtract(ResourceSet other) => Combine(other, -1);

    private ResourceSet Combine(ResourceSet other, int sign)
    {
        if (other.IsEmpty) return this;
        var b = _units.ToBuilder();
        foreach (var (name, units) in other._units)
        {
            var v = (b.TryGetValue(name, out var u) ? u : 0) + sign * units;
            if (v < 0) throw new InvalidOperationException($"Resource ledger for '{name}' would go negative; this is a Grid bug.");
            if (v == 0) b.Remove(name); else b[name] = v;
        }
        return new ResourceSet(b.ToImmutable());
    }

    public bool Equals(ResourceSet? other) => other is not null && _units.Count == other._units.Count && _units.All(kv => other._units.TryGetValue(kv.Key, out var v) && v == kv.Value);
    public override bool Equals(object? obj) => Equals(obj as ResourceSet);
    public override int GetHashCode() => _units.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));

    public override string ToString() => IsEmpty ? "{}" :
        "{" + string.Join(", ", _units.Select(kv => $"{kv.Key}: {(kv.Value / Scale).ToString(CultureInfo.InvariantCulture)}")) + "}";
}
