using System.Runtime.InteropServices;

namespace Grid.Silo.Raylet;

/// <summary>
/// A node's exact resource ledger: what it declared, what is held, and which GPU ids are taken.
/// Counts are kept in mutable tables (fixed-point units, as <see cref="ResourceSet.Units"/>), so a
/// task's take and give cost no allocation; the <see cref="ResourceSet"/> views are built when read
/// (publishing, error messages) and kept until the next change.
/// Not thread-safe: the <see cref="NodeScheduler"/> guards it with its lock.
/// </summary>
internal sealed class ResourceLedger
{
    private readonly double[] _gpuFree;
    private readonly Dictionary<string, long> _total = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _available = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _overdraft = new(StringComparer.Ordinal);
    private ResourceSet? _totalView, _availableView, _overdraftView;

    public ResourceLedger(ResourceSet total)
    {
        Apply(_total, total, +1);
        Apply(_available, total, +1);
        _gpuFree = Enumerable.Repeat(1.0, (int)Math.Floor(total[ResourceSet.Gpu])).ToArray();
    }

    public ResourceSet Total => _totalView ??= ResourceSet.FromUnits(_total);
    public ResourceSet Available => _availableView ??= ResourceSet.FromUnits(_available);
    /// <summary>Resources lent out beyond the declared amount to tasks that came back from a blocking get.</summary>
    public ResourceSet Overdraft => _overdraftView ??= ResourceSet.FromUnits(_overdraft);

    public bool CanEverFit(ResourceSet need) => FitsIn(need, _total);
    public bool Fits(ResourceSet need) => _overdraft.Count == 0 && FitsIn(need, _available);

    /// <summary>Takes <paramref name="need"/> and assigns GPU ids (fractional requests share an id).</summary>
    public int[] Take(ResourceSet need)
    {
        Apply(_available, need, -1);
        _availableView = null;
        return AssignGpus(need[ResourceSet.Gpu]);
    }

    public void Give(ResourceSet amount, int[] gpuIds, double gpus)
    {
        foreach (var (name, units) in amount.Units)
        {
            // Resources of a placement group removed meanwhile are gone from the node: drop them.
            if (!_total.ContainsKey(name)) continue;
            // Pay back an overdraft first, so the ledger never shows more than was declared.
            var repay = Math.Min(units, _overdraft.GetValueOrDefault(name));
            if (repay > 0) Change(_overdraft, name, -repay);
            if (units > repay) Change(_available, name, units - repay);
        }
        _availableView = _overdraftView = null;
        ReturnGpus(gpuIds, gpus);
    }

    /// <summary>Adds resources to the node (a reserved bundle's group resources).</summary>
    public void Grow(ResourceSet extra)
    {
        Apply(_total, extra, +1);
        Apply(_available, extra, +1);
        _totalView = _availableView = null;
    }

    /// <summary>Removes every resource whose name matches, held or not (a removed placement group's).</summary>
    public void Shrink(Func<string, bool> match)
    {
        foreach (var table in new[] { _total, _available, _overdraft })
            foreach (var name in table.Keys.Where(match).ToArray())
                table.Remove(name);
        _totalView = _availableView = _overdraftView = null;
    }

    /// <summary>Takes what is available of <paramref name="need"/> and records the rest as overdraft.</summary>
    public void TakeWithOverdraft(ResourceSet need)
    {
        foreach (var (name, units) in need.Units)
        {
            var now = Math.Min(units, _available.GetValueOrDefault(name));
            if (now > 0) Change(_available, name, -now);
            if (units > now) Change(_overdraft, name, units - now);
        }
        _availableView = _overdraftView = null;
    }

    private static bool FitsIn(ResourceSet need, Dictionary<string, long> have)
    {
        foreach (var (name, units) in need.Units)
            if (!have.TryGetValue(name, out var h) || h < units) return false;
        return true;
    }

    private static void Apply(Dictionary<string, long> table, ResourceSet amounts, int sign)
    {
        foreach (var (name, units) in amounts.Units) Change(table, name, sign * units);
    }

    private static void Change(Dictionary<string, long> table, string name, long delta)
    {
        ref var value = ref CollectionsMarshal.GetValueRefOrAddDefault(table, name, out _);
        value += delta;
        if (value < 0) throw new InvalidOperationException($"Resource ledger for '{name}' would go negative; this is a Grid bug.");
        if (value == 0) table.Remove(name);
    }

    private int[] AssignGpus(double gpus)
    {
        if (gpus <= 0) return [];
        if (gpus < 1)
        {
            for (var i = 0; i < _gpuFree.Length; i++)
                if (_gpuFree[i] >= gpus - 1e-9) { _gpuFree[i] -= gpus; return [i]; }
            return [];
        }
        var ids = new List<int>();
        for (var i = 0; i < _gpuFree.Length && ids.Count < (int)gpus; i++)
            if (_gpuFree[i] >= 1 - 1e-9) { _gpuFree[i] = 0; ids.Add(i); }
        return [.. ids];
    }

    private void ReturnGpus(int[] ids, double gpus)
    {
        var each = gpus < 1 ? gpus : 1;
        foreach (var i in ids) _gpuFree[i] = Math.Min(1, _gpuFree[i] + each);
    }
}
