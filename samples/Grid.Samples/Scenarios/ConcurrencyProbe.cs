namespace Grid.Samples.Scenarios;

/// <summary>
/// Counts how many probed sections run at once in this process: an actor counts its own calls (all of
/// them run in its process) and reports the figure; tests use it to assert that an actor runs one
/// call at a time without looking at a clock.
/// </summary>
public sealed class ConcurrencyProbe
{
    private static readonly Dictionary<string, ConcurrencyProbe> Probes = [];
    private int _now;
    private int _max;

    public static ConcurrencyProbe Named(string name)
    {
        lock (Probes) return Probes.TryGetValue(name, out var p) ? p : Probes[name] = new ConcurrencyProbe();
    }

    public int Max => Volatile.Read(ref _max);

    public IDisposable Enter()
    {
        var now = Interlocked.Increment(ref _now);
        int max;
        while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max) { }
        return new Exit(this);
    }

    private sealed class Exit(ConcurrencyProbe probe) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref probe._now);
    }
}
