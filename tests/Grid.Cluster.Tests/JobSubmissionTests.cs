using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Cluster.Tests;

/// <summary>
/// <c>grid job</c> end to end on real <c>grid</c> processes: the head (found through this machine's current-cluster
/// file, with its recorded password) runs the samples' job driver (<c>dotnet Grid.Samples.dll job</c>), which joins
/// the cluster through GRID_ADDRESS and GRID_PASSWORD, runs tasks on its nodes and creates an actor.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class JobSubmissionTests(LocalCluster cluster)
{
    private static string[] Driver(params string[] options) =>
        ["dotnet", GridCli.BuildOutput(Path.Combine("samples", "Grid.Samples"), "Grid.Samples.dll"), "job", .. options];

    private async Task<GridCli.Result> GridAsync(params string[] args)
    {
        var result = await cluster.Cli.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"grid {string.Join(' ', args)}: {result}");
        return result;
    }

    [Fact]
    public async Task A_submitted_driver_with_a_working_directory_succeeds_and_its_logs_hold_its_output()
    {
        var directory = Directory.CreateTempSubdirectory("grid-job-dir-").FullName;
        try
        {
            var text = "from the working directory " + Guid.NewGuid().ToString("N");
            await File.WriteAllTextAsync(Path.Combine(directory, "input.txt"), text);

            var submit = await GridAsync(["job", "submit", "--working-dir", directory, "--env", "SAMPLE_SETTING=1", "--wait", "--", .. Driver("--read", "input.txt")]);
            var id = submit.Output.Split('\n')[0].Trim();
            Assert.Contains("job driver squares: [0, 1, 4, 9]", submit.Output);
            Assert.Contains($"job driver read input.txt: {text}", submit.Output);
            Assert.Contains($"Job {id} SUCCEEDED", submit.Error);

            var logs = await GridAsync("job", "logs", id);
            Assert.Contains("counted to 42", logs.Output);
            Assert.Contains("SUCCEEDED", (await GridAsync("job", "status", id)).Output);
            var list = await GridAsync("job", "list");
            Assert.Contains(list.Output.Split('\n'), line => line.Contains(id) && line.Contains("SUCCEEDED") && line.Contains("SUBMISSION"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_driver_is_FAILED_with_its_exit_code_and_wait_exits_1()
    {
        var submit = await cluster.Cli.RunAsync(["job", "submit", "--wait", "--", .. Driver("--exit", "3")]);
        Assert.True(submit.ExitCode == 1, submit.ToString());
        var id = submit.Output.Split('\n')[0].Trim();

        var status = await GridAsync("job", "status", id);
        Assert.Contains("FAILED", status.Output);
        Assert.Contains("exit code: 3", status.Output);
    }

    [Fact]
    public async Task Stop_stops_a_running_driver_and_its_actor_dies()
    {
        var id = "stop-" + Guid.NewGuid().ToString("N")[..8];
        var submit = await GridAsync(["job", "submit", "--submission-id", id, "--", .. Driver("--block")]);
        Assert.Equal(id, submit.Output.Trim());
        await Eventually.WaitAsync(async () => (await cluster.Cli.RunAsync("job", "logs", id)).Output.Contains("blocking until stopped"),
            TimeSpan.FromMinutes(2), "the driver to block");
        await using var gcs = await RedisGcs.ConnectAsync(cluster.Redis);
        var driver = Assert.Single(await gcs.GetJobsAsync(), j => j.SubmissionId == id);
        var actor = Assert.Single(await gcs.GetActorsAsync(), a => a.Job == driver.JobId);

        Assert.Contains($"Job {id} stopped", (await GridAsync("job", "stop", id)).Output);

        Assert.Contains("STOPPED", (await GridAsync("job", "status", id)).Output);
        await Eventually.WaitAsync(async () => (await gcs.GetActorAsync(actor.ActorId))!.State == ActorState.Dead, TimeSpan.FromMinutes(1), "the job's actor to die");
        Assert.Contains("had ended already", (await GridAsync("job", "stop", id)).Output);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_in_Grids_words()
    {
        var refused = await cluster.Cli.RunAsync("job", "list", "--password", "not-the-password");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("password", refused.Error, StringComparison.OrdinalIgnoreCase);
    }
}
