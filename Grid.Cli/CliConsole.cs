using System.CommandLine;
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

    /// <summary>--format table|json, for the commands that print records.</summary>
    public static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }
}
