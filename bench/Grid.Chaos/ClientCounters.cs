using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Grid.Chaos;

/// <summary>
/// The client's own Grid counters (System.Diagnostics.Metrics), read in-process with a <see cref="MeterListener"/>:
/// <c>grid.tasks.retried</c> from the core worker, and any counter whose name mentions reconstruction,
/// which later builds may add. A counter this build does not publish reads as null ("n/a").
/// </summary>
public sealed class ClientCounters : IDisposable
{
    public const string TasksRetried = "grid.tasks.retried";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public ClientCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!instrument.Meter.Name.StartsWith("Grid", StringComparison.Ordinal)) return;
            if (instrument.Name == TasksRetried || Mentions(instrument.Name, "reconstruct"))
            {
                _totals.TryAdd(instrument.Name, 0);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, n) => n + value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, n) => n + value));
        _listener.Start();
    }

    /// <summary>The total of the counter named exactly <paramref name="name"/>, or null when this build has no such counter.</summary>
    public long? Read(string name) => _totals.TryGetValue(name, out var total) ? total : null;

    /// <summary>The total of the counters whose names mention <paramref name="word"/>, or null when there are none.</summary>
    public long? ReadMentioning(string word)
    {
        var matching = _totals.Where(p => Mentions(p.Key, word)).ToList();
        return matching.Count == 0 ? null : matching.Sum(p => p.Value);
    }

    private static bool Mentions(string name, string word) => name.Contains(word, StringComparison.OrdinalIgnoreCase);

    public void Dispose() => _listener.Dispose();
}
