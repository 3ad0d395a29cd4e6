using System.CommandLine;

namespace Grid.Cli;

/// <summary><c>grid summary</c> (to be built).</summary>
internal static class SummaryCommand
{
    public static Command Create() => new("summary", "(to be built)");
}
