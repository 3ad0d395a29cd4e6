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
        // A give-up bound, not a measurement: the wait is cancelled when the bound passes, so a bug
        // fails the test with what was awaited instead of hanging the run.
        using var giveUp = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(Tick);
        var value = await read();
        while (!done(value))
        {
            try { await timer.WaitForNextTickAsync(giveUp.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"Gave up waiting for {what} after {timeout.TotalSeconds:F0} s; last state: {value}"); }
            value = await read();
        }
        return value;
    }

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        WaitAsync(condition, ok => ok, timeout, what);

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitAsync(() => Task.FromResult(condition()), ok => ok, timeout, what);
}
