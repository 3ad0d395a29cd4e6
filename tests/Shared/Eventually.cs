namespace Grid.Testing;

/// <summary>
/// Awaits a condition on real state (the GCS, a probe, the process table) on a timer tick, failing
/// with what was awaited after a generous deadline: the one way tests here wait for something that
/// has no event of its own.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(25);

    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        // Stopwatch, not the wall clock: a clock step (NTP, a resumed VM) must not end or stretch the wait.
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        using var timer = new PeriodicTimer(Tick);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (elapsed.Elapsed >= timeout) throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}; last state: {value}");
            await timer.WaitForNextTickAsync();
        }
    }

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        WaitAsync(condition, ok => ok, timeout, what);

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitAsync(() => Task.FromResult(condition()), ok => ok, timeout, what);
}
