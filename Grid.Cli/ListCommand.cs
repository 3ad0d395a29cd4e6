using System.CommandLine;

namespace Grid.Cli;

/// <summary><c>grid list</c> (to be built).</summary>
internal static class ListCommand
{
    public static Command Create() => new("list", "(to be built)");
}
