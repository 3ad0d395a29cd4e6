using System.CommandLine;

namespace Grid.Cli;

/// <summary><c>grid job</c> (to be built).</summary>
internal static class JobCommand
{
    public static Command Create() => new("job", "(to be built)");
}
