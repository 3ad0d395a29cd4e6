namespace Grid.Silo.Raylet;

/// <summary>
/// A node's exact resource ledger: what it declared, what is held, and which GPU ids are taken.
/// Not thread-safe: the <see cref="Raylet"/> guards it with its lock.
/// </summary>
internal sealed class ResourceLedger
{
    private readonly double[] _gpuFree;

    public ResourceLedger(ResourceSet total)
    {
        Total = total;
        Available = total;
        _gpuFree = Enumerable.Repeat(1.0, (int)Math.Floor(total[ResourceSet.Gpu])).ToArray();
    }

    public ResourceSet Total { get; private set; }
    public ResourceSet Available { get; private set; }
    /// <summary>Resources lent out beyond the declared amount to tasks that came back from a blocking get.</summary>
    public ResourceSet Overdraft { get; private set; } = ResourceSet.Empty;

    public bool CanEverFit(ResourceSet need) => need.FitsIn(Total);
    public bool Fits(ResourceSet need) => Overdraft.IsEmpty && need.FitsIn(Available);

    /// <summary>Takes <paramref name="need"/> and assigns GPU ids (fractional requests share an id).</summary>
    public int[] Take(ResourceSet need)
    {
        Available = Available.Subtract(need);
        return AssignGpus(need[ResourceSet.Gpu]);
    }

    public void Give(ResourceSet amount, int[] gpuIds, double gpus)
    {
        // Resources of a placement group removed meanwhile are gone from the node: drop them.
        if (!amount.FitsIn(Total)) amount = amount.Only(Total.Contains);
        if (Overdraft.IsEmpty)
        {
            // The common case (no task came back from a blocking get meanwhile): one new set, not four.
            Available = Available.Add(amount);
            ReturnGpus(gpuIds, gpus);
            return;
        }
        // Pay back an overdraft first, so the ledger never shows more than was declared.
        var repay = ResourceSet.From(amount.Names.Select(n => KeyValuePair.Create(n, Math.Min(amount[n], Overdraft[n]))));
        Overdraft = Overdraft.Subtract(repay);
        Available = Available.Add(amount.Subtract(repay));
        ReturnGpus(gpuIds, gpus);
    }

    /// <summary>Adds resources to the node (a reserved bundle's group resources).</summary>
    public void Grow(ResourceSet extra)
    {
        Total = Total.Add(extra);
        Available = Available.Add(extra);
    }

    /// <summary>Removes every resource whose name matches, held or not (a removed placement group's).</summary>
    public void Shrink(Func<string, bool> match)
    {
        bool Keep(string name) => !match(name);
        Total = Total.Only(Keep);
        Available = Available.Only(Keep);
        Overdraft = Overdraft.Only(Keep);
    }

    /// <summary>Takes what is available of <paramref name="need"/> and records the rest as overdraft.</summary>
    public void TakeWithOverdraft(ResourceSet need)
    {
        var now = ResourceSet.From(need.Names.Select(n => KeyValuePair.Create(n, Math.Min(need[n], Available[n]))));
        Available = Available.Subtract(now);
        Overdraft = Overdraft.Add(need.Subtract(now));
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
