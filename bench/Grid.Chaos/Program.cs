namespace Grid.Chaos;

/// <summary>
/// The chaos run (issue 12 item 6). Usage: dotnet run -c Release --project bench/Grid.Chaos --
/// [--tasks 100000] [--workers 3] [--kills 2] [--redis-restart] [--quick] [--deadline-s 900] [--keep-logs].
/// Prints progress lines, then the report (<c>name: value unit</c>) and a verdict; exits 0 only when no
/// result was lost and everything was verified, 1 when something was, 2 when the run could not be made.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => ChaosOptions.Command(RunAsync).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(ChaosOptions options)
    {
        if (options.Validate() is { Count: > 0 } errors)
        {
            foreach (var error in errors) Console.Error.WriteLine(error);
            return 2;
        }
        using var stop = new CancellationTokenSource();
        // Ctrl+C ends the run early, but still through the cluster's shutdown (no node process left behind).
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try
        {
            var report = await new ChaosRun(options, Console.Out).RunAsync(stop.Token);
            report.WriteTo(Console.Out);
            return report.Passed ? 0 : 1;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"The chaos run could not be made: {e}");
            return 2;
        }
    }
}
