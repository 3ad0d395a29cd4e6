using System.Text.RegularExpressions;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// The short chaos run (issue 12): the chaos tool (bench/Grid.Chaos) run as a user runs it, on its own
/// cluster of real processes — head + 3 workers, Redis — with 10,000 tasks, an ordered actor stream and
/// large objects, and one worker SIGKILLed at 15 % of the tasks. No result may be lost. The tool bounds
/// its own workload (--deadline-s) and this test bounds the tool, so a lost task fails the test with
/// the tool's report (counts by exception type, pending task ids), never a hang.
/// </summary>
public sealed partial class ChaosRunTests
{
    private static readonly TimeSpan WorkloadDeadline = TimeSpan.FromSeconds(90);
    /// <summary>The workload's deadline plus the cluster's start and stop, under ./test.sh's 5-minute hang limit.</summary>
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(4.5);

    [Fact]
    public async Task A_worker_killed_under_10000_tasks_loses_no_result()
    {
        var stateDir = Directory.CreateTempSubdirectory("grid-chaos-test-").FullName;
        var cli = new GridCli(stateDir);
        var tool = GridCli.BuildOutput(Path.Combine("bench", "Grid.Chaos"), "Grid.Chaos.dll");
        try
        {
            var run = await cli.RunDllAsync(tool,
                ["--quick", "--tasks", "10000", "--workers", "3", "--kills", "1", "--deadline-s", ((int)WorkloadDeadline.TotalSeconds).ToString(), "--state-dir", stateDir],
                ToolTimeout);

            var lost = LostLine().Match(run.Output);
            Assert.True(lost.Success, $"The chaos run printed no 'lost' line: {run}");
            Assert.True(lost.Groups[1].Value == "0", $"The chaos run lost {lost.Groups[1].Value} of 10,000 results:\n{run.Output}\n{run.Error}");
            Assert.Contains("kill 1 to detection:", run.Output);
        }
        finally
        {
            // The tool stops its cluster itself; this covers a tool that was killed at the timeout.
            await cli.RunAsync(["stop"], TimeSpan.FromMinutes(2));
            try { Directory.Delete(stateDir, recursive: true); } catch (IOException) { }
        }
    }

    [GeneratedRegex(@"^lost: ([\d,]+)", RegexOptions.Multiline)]
    private static partial Regex LostLine();
}
