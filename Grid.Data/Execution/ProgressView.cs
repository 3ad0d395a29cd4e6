using Spectre.Console;

namespace Grid.Data.Execution;

/// <summary>
/// A progress bar per operator on the console while a dataset runs (Spectre.Console), when standard output is a
/// terminal or <see cref="DataOptions.ShowProgress"/> asks for it. Rows put out so far; a bar completes when its
/// operator has no more work.
/// </summary>
internal sealed class ProgressView : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _view;

    private ProgressView(RunStats stats, IAnsiConsole console) => _view = Task.Run(() => ShowAsync(stats, console, _stop.Token));

    /// <summary>Where the bars go: the process's console (a test puts a recording console here).</summary>
    internal static IAnsiConsole? Console { get; set; }

    public static ProgressView? StartIfWanted(DataOptions options, RunStats stats)
    {
        var console = Console ?? AnsiConsole.Console;
        bool show = options.ShowProgress ?? (!System.Console.IsOutputRedirected && console.Profile.Capabilities.Interactive);
        return show ? new ProgressView(stats, console) : null;
    }

    private static async Task ShowAsync(RunStats stats, IAnsiConsole console, CancellationToken stop)
    {
        await console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bars = new Dictionary<OperatorCounters, ProgressTask>();
                while (true)
                {
                    foreach (var op in stats.Operators)
                    {
                        if (!bars.TryGetValue(op, out var bar)) bars[op] = bar = context.AddTask(op.Name, maxValue: 1).IsIndeterminate();
                        bar.Description = $"{op.Name}: {op.Rows:N0} rows, {op.Blocks} blocks";
                        if (op.Done || stop.IsCancellationRequested) bar.IsIndeterminate(false).Value = 1;
                    }
                    if (stop.IsCancellationRequested) return;
                    try { await Task.Delay(200, stop).ConfigureAwait(false); } // a display refresh rate, not synchronisation
                    catch (OperationCanceledException) { }
                }
            }).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _view.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
