using Spectre.Console;

namespace Grid.Cli;

/// <summary>The console the commands' tables go to.</summary>
internal static class CliConsole
{
    /// <summary>Writes to <paramref name="output"/> (stdout by default); when that is not a terminal (pipes, tests) tables keep full width and no colours.</summary>
    public static IAnsiConsole Create(TextWriter? output = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output ?? Console.Out),
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        });
        if (Console.IsOutputRedirected) console.Profile.Width = 240;
        return console;
    }
}
