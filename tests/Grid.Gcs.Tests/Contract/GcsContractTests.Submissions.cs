using Grid.Wire;

namespace Grid.Gcs.Tests.Contract;

// The submitted-job table (grid job submit): ids are unique, records round-trip whole, and ending a job is decided once.
public abstract partial class GcsContractTests
{
    private static SubmittedJobInfo Submission(string? id = null) => new()
    {
        Id = id ?? "sub-" + Guid.NewGuid().ToString("N")[..8],
        Entrypoint = ["dotnet", "Driver.dll", "--rows", "10"],
        Status = SubmittedJobStatus.Pending,
        StartTime = DateTimeOffset.UtcNow,
        PackageHash = "0123abcd",
        Environment = new Dictionary<string, string> { ["TOKEN"] = "s3cret" },
        HeadNode = new NodeId("127.0.0.1:11111@1"),
    };

    [Fact]
    public async Task A_submitted_job_is_added_once_per_id_and_read_whole_by_another_client()
    {
        var job = Submission();
        Assert.True(await Gcs.AddSubmittedJobAsync(job));
        Assert.False(await Gcs.AddSubmittedJobAsync(job with { Entrypoint = ["other"] }));

        var other = await ConnectAnotherAsync();
        var read = await other.GetSubmittedJobAsync(job.Id);
        Assert.NotNull(read);
        Assert.Equal(job.Entrypoint, read.Entrypoint);
        Assert.Equal(SubmittedJobStatus.Pending, read.Status);
        Assert.Equal("0123abcd", read.PackageHash);
        Assert.Equal("s3cret", read.Environment!["TOKEN"]);
        Assert.Equal(job.HeadNode, read.HeadNode);
        Assert.Equal(job.StartTime, read.StartTime);
        Assert.Null(await other.GetSubmittedJobAsync("no-such-job"));
        Assert.Equal([job.Id], (await other.GetSubmittedJobsAsync()).Select(j => j.Id));
    }

    [Fact]
    public async Task A_conditional_update_lands_only_from_the_expected_status()
    {
        var job = Submission();
        await Gcs.AddSubmittedJobAsync(job);
        var running = job with { Status = SubmittedJobStatus.Running };
        Assert.True(await Gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Pending, running));
        Assert.False(await Gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Pending, running with { Message = "late" }));

        var ended = running with { Status = SubmittedJobStatus.Failed, ExitCode = 3, Message = "exit 3", EndTime = DateTimeOffset.UtcNow };
        Assert.True(await Gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Running, ended));
        var read = await Gcs.GetSubmittedJobAsync(job.Id);
        Assert.Equal(SubmittedJobStatus.Failed, read!.Status);
        Assert.Equal(3, read.ExitCode);
        Assert.True(read.HasEnded);

        Assert.False(await Gcs.TryUpdateSubmittedJobAsync(SubmittedJobStatus.Running, running with { Id = "no-such-job" }));
        Assert.Null(await Gcs.GetSubmittedJobAsync("no-such-job"));
    }

    [Fact]
    public async Task Of_two_clients_ending_a_running_job_at_once_exactly_one_wins()
    {
        var job = Submission() with { Status = SubmittedJobStatus.Running };
        await Gcs.AddSubmittedJobAsync(job);
        var other = await ConnectAnotherAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? Gcs : other).TryUpdateSubmittedJobAsync(SubmittedJobStatus.Running,
            job with { Status = i % 2 == 0 ? SubmittedJobStatus.Succeeded : SubmittedJobStatus.Stopped, Message = $"writer {i}" })));

        var winner = Assert.Single(results.Select((won, i) => (won, i)), r => r.won);
        Assert.Equal($"writer {winner.i}", (await Gcs.GetSubmittedJobAsync(job.Id))!.Message);
    }
}
