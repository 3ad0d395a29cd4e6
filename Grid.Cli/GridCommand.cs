using System.CommandLine;
using System.CommandLine.Help;

namespace Grid.Cli;

/// <summary>The <c>grid</c> command line (Ray's <c>ray start/status/stop</c>).</summary>
public static class GridCommand
{
    /// <summary>
    /// A plain command named "grid" rather than a RootCommand, which would name itself after the
    /// executable (Grid.Cli); help and version are added as a RootCommand would.
    /// </summary>
    public static Command Create() => new("grid", "Start, inspect and stop the Grid cluster nodes of this machine.")
    {
        new HelpOption(),
        new VersionOption(),
        StartCommand.Create(),
        StatusCommand.Create(),
        MemoryCommand.Create(),
        ListCommand.Create(),
        SummaryCommand.Create(),
        JobCommand.Create(),
        StopCommand.Create(),
    };

    public static Task<int> RunAsync(string[] args) =>
        Create().Parse(args).InvokeAsync(new InvocationConfiguration
        {
            // Nodes stop gracefully on SIGTERM/Ctrl+C through the generic host; the parser must not cut that short.
            ProcessTerminationTimeout = null,
        });
}
