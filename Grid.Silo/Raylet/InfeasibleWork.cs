using Grid.Silo.Diagnostics;
using System.Collections.Concurrent;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Raylet;

/// <summary>
/// Work that no alive node could ever run (Ray's infeasible tasks). It is never dropped: it waits
/// for a node that can run it to join, and meanwhile appears in the node's pending reasons with
/// what it needs and what the largest node has. Each resource shape is logged once.
/// </summary>
internal sealed class InfeasibleWork(ILogger logger, Action changed)
{
    private readonly ConcurrentDictionary<long, string> _waiting = new();
    private readonly Action _changed = changed;
    private readonly ConcurrentDictionary<string, bool> _logged = new();
    private long _next;

    /// <summary>Records one waiting item; dispose the result once it can run (or gave up).</summary>
    public IDisposable Add(string what, ResourceSet need, string detail)
    {
        var reason = $"{what} is infeasible: it needs {need}; {detail}";
        var key = Interlocked.Increment(ref _next);
        _waiting[key] = reason;
        _changed();
        if (_logged.TryAdd(need + detail, true))
            NodeLog.WorkInfeasible(logger, reason);
        return new Entry(this, key);
    }

    /// <summary>How many items wait as infeasible now.</summary>
    public int Count => _waiting.Count;

    public IEnumerable<string> Reasons() =>
        _waiting.Values.GroupBy(r => r).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ({g.Count()} like it)");

    /// <summary>"the largest node has {...}": the node with most of what the request lacks.</summary>
    public static string LargestNode(ResourceSet need, IReadOnlyCollection<NodeInfo> nodes)
    {
        if (nodes.Count == 0) return "the cluster has no live node";
        var lacking = need.Names.FirstOrDefault(n => !nodes.Any(node => node.Total[n] >= need[n])) ?? ResourceSet.Cpu;
        var largest = nodes.MaxBy(n => (n.Total[lacking], n.Total[ResourceSet.Cpu]))!;
        return $"the largest node ({largest.NodeId}) has {WithoutNodeResources(largest.Total)}";
    }

    /// <summary>A node's totals without the "node:&lt;id&gt;" and placement-group resources, for people to read.</summary>
    public static ResourceSet WithoutNodeResources(ResourceSet total) =>
        total.Only(n => !n.StartsWith("node:", StringComparison.Ordinal) && !n.Contains("_group_", StringComparison.Ordinal));

    private sealed class Entry(InfeasibleWork owner, long key) : IDisposable
    {
        public void Dispose()
        {
            if (owner._waiting.TryRemove(key, out _)) owner._changed();
        }
    }
}
