using System.IO.Compression;
using System.Security.Cryptography;
using Grid.Dashboard.Jobs;
using Grid.Jobs;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Dashboard.Tests.Jobs;

/// <summary>
/// The head's job supervisor on a real cluster (<see cref="JobHead"/>): submitted drivers are real processes that join
/// the cluster, run tasks and actors, and print; their records in the GCS, their logs and a stop are what a user sees.
/// </summary>
public sealed class JobSupervisorTests(JobHead head) : IClassFixture<JobHead>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private Task<SubmittedJobInfo> EndedAsync(string id) =>
        Eventually.WaitAsync(() => head.Supervisor.GetAsync(id, default), j => j.HasEnded, Patience, $"job {id} to end");

    private async Task<string> LogAsync(string id)
    {
        var chunk = await head.Supervisor.ReadLogAsync(id, 0, default);
        return chunk.Text;
    }

    [Fact]
    public async Task A_submitted_driver_joins_the_cluster_runs_work_and_succeeds_with_its_output_in_the_log()
    {
        var submitted = await head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = JobHead.Driver() }, default);
        Assert.Equal(SubmittedJobStatus.Pending, submitted.Status);

        var job = await EndedAsync(submitted.Id);
        var log = await LogAsync(submitted.Id);
        Assert.True(job.Status == SubmittedJobStatus.Succeeded, $"{job.Status}: {job.Message}\n{log}");
        Assert.Equal(0, job.ExitCode);
        Assert.Contains("job driver squares: [0, 1, 4, 9]", log);
        Assert.Contains("counted to 42", log);
        var chunk = await head.Supervisor.ReadLogAsync(submitted.Id, 0, default);
        Assert.True(chunk.Ended);
        Assert.Equal(new FileInfo(head.Supervisor.LogPath(submitted.Id)).Length, chunk.NextOffset);
        // The log and the job's directory are this user's only: a driver's output may hold secrets.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(head.Supervisor.LogPath(submitted.Id)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(head.Supervisor.LogPath(submitted.Id))!));
        }

        // The driver's own cluster job names the submission, and the listing joins the two.
        var driver = Assert.Single(await head.Gcs.GetJobsAsync(), j => j.SubmissionId == submitted.Id);
        var row = Assert.Single(await head.Jobs.ListAsync(default), r => r.SubmissionId == submitted.Id);
        Assert.Equal(("SUBMISSION", "SUCCEEDED", driver.JobId.Value), (row.Type, row.Status, row.JobId));
        Assert.DoesNotContain(await head.Jobs.ListAsync(default), r => r.Type == "DRIVER" && r.JobId == driver.JobId.Value);
    }

    [Fact]
    public async Task A_driver_that_exits_with_an_error_code_is_FAILED_with_that_code()
    {
        var submitted = await head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = JobHead.Driver("--exit", "3") }, default);

        var job = await EndedAsync(submitted.Id);
        Assert.Equal(SubmittedJobStatus.Failed, job.Status);
        Assert.Equal(3, job.ExitCode);
        Assert.Contains("exited with code 3", job.Message);
        Assert.Contains("job driver squares", await LogAsync(submitted.Id));
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_FAILED_saying_why()
    {
        var submitted = await head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["/no/such/driver", "--x"] }, default);

        var job = await EndedAsync(submitted.Id);
        Assert.Equal(SubmittedJobStatus.Failed, job.Status);
        Assert.Null(job.ExitCode);
        Assert.Contains("'/no/such/driver' could not be started", job.Message);
        Assert.Contains("could not be started", await LogAsync(submitted.Id));
    }

    [Fact]
    public async Task Stopping_a_running_driver_makes_it_STOPPED_and_its_actor_dies()
    {
        var submitted = await head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = JobHead.Driver("--block") }, default);
        await Eventually.WaitAsync(async () => (await LogAsync(submitted.Id)).Contains("blocking until stopped"), Patience, "the driver to block");
        var driver = Assert.Single(await head.Gcs.GetJobsAsync(), j => j.SubmissionId == submitted.Id);
        var actor = Assert.Single(await head.Gcs.GetActorsAsync(), a => a.Job == driver.JobId);
        Assert.Equal(ActorState.Alive, actor.State);
        Assert.Equal(SubmittedJobStatus.Running, (await head.Supervisor.GetAsync(submitted.Id, default)).Status);

        Assert.True(await head.Supervisor.StopAsync(submitted.Id, default));

        var job = await head.Supervisor.GetAsync(submitted.Id, default);
        Assert.Equal(SubmittedJobStatus.Stopped, job.Status);
        Assert.NotNull(job.EndTime);
        await Eventually.WaitAsync(async () => (await head.Gcs.GetActorAsync(actor.ActorId))!.State == ActorState.Dead, Patience, "the job's actor to die");
        Assert.NotEqual(JobStatus.Running, (await head.Gcs.GetJobAsync(driver.JobId))!.Status);
        Assert.False(await head.Supervisor.StopAsync(submitted.Id, default)); // ended: nothing to stop
    }

    [Fact]
    public async Task A_driver_that_ignores_SIGTERM_is_killed_with_its_children_after_the_grace_period()
    {
        // A shell that ignores SIGTERM and keeps a child of its own running.
        var submitted = await head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["sh", "-c", "trap '' TERM; sleep 600 & echo \"pids $$ $!\"; wait"] }, default);
        var line = await Eventually.WaitAsync(() => LogAsync(submitted.Id), log => log.Contains("pids "), Patience, "the driver to start");
        var pids = line.Split("pids ")[1].Split('\n')[0].Split(' ').Select(int.Parse).ToArray();

        Assert.True(await head.Supervisor.StopAsync(submitted.Id, default));

        Assert.Equal(SubmittedJobStatus.Stopped, (await head.Supervisor.GetAsync(submitted.Id, default)).Status);
        await Eventually.WaitAsync(() => !pids.Any(ProcessCluster.IsRunning), TimeSpan.FromSeconds(30), "the driver and its child to be gone");
    }

    [Fact]
    public async Task An_uploaded_working_directory_is_the_drivers_working_directory()
    {
        var directory = Directory.CreateTempSubdirectory("grid-job-workdir-").FullName;
        try
        {
            var secret = "the uploaded file " + Guid.NewGuid().ToString("N");
            Directory.CreateDirectory(Path.Combine(directory, "data"));
            await File.WriteAllTextAsync(Path.Combine(directory, "data", "input.txt"), secret);
            var zip = Zip(directory);
            var hash = Convert.ToHexStringLower(SHA256.HashData(zip));
            Assert.False(await head.Packages.HasAsync(hash));
            await head.Packages.PutAsync(hash, new MemoryStream(zip), zip.Length, default);
            Assert.True(await head.Packages.HasAsync(hash));

            var submitted = await head.Supervisor.SubmitAsync(new JobSubmitRequest
            {
                Entrypoint = JobHead.Driver("--read", Path.Combine("data", "input.txt")),
                WorkingDirPackage = hash,
                Environment = new Dictionary<string, string> { ["SOME_SETTING"] = "x" },
            }, default);

            var job = await EndedAsync(submitted.Id);
            var log = await LogAsync(submitted.Id);
            Assert.True(job.Status == SubmittedJobStatus.Succeeded, $"{job.Status}: {job.Message}\n{log}");
            Assert.Contains($"job driver read {Path.Combine("data", "input.txt")}: {secret}", log);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_package_with_an_entry_outside_its_directory_is_refused()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = await archive.CreateEntry("../../escaped.txt").OpenAsync();
            await entry.WriteAsync("outside"u8.ToArray());
        }
        var zip = buffer.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(zip));

        var refused = await Assert.ThrowsAsync<JobRequestException>(() => head.Packages.PutAsync(hash, new MemoryStream(zip), zip.Length, default));
        Assert.Equal(400, refused.Status);
        Assert.Contains("zip-slip", refused.Message);
        Assert.False(await head.Packages.HasAsync(hash));
    }

    [Fact]
    public async Task A_package_whose_bytes_do_not_match_its_hash_is_refused()
    {
        var zip = Zip(Directory.CreateTempSubdirectory("grid-job-empty-").FullName);
        var wrong = Convert.ToHexStringLower(SHA256.HashData("other"u8));
        var refused = await Assert.ThrowsAsync<JobRequestException>(() => head.Packages.PutAsync(wrong, new MemoryStream(zip), zip.Length, default));
        Assert.Equal(400, refused.Status);
        Assert.Contains("SHA-256", refused.Message);
    }

    [Fact]
    public async Task Bad_submissions_are_refused_with_what_to_do()
    {
        var empty = await Assert.ThrowsAsync<JobRequestException>(() => head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = [] }, default));
        Assert.Equal((400, true), (empty.Status, empty.Message.Contains("entrypoint")));
        var badId = await Assert.ThrowsAsync<JobRequestException>(() => head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["true"], SubmissionId = "../x" }, default));
        Assert.Equal(400, badId.Status);
        var unknown = await Assert.ThrowsAsync<JobRequestException>(() => head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["true"], WorkingDirPackage = new string('a', 64) }, default));
        Assert.Equal((400, true), (unknown.Status, unknown.Message.Contains("PUT /api/packages")));
        var reserved = await Assert.ThrowsAsync<JobRequestException>(() => head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["true"], Environment = new Dictionary<string, string> { ["GRID_PASSWORD"] = "x" } }, default));
        Assert.Equal(400, reserved.Status);

        var id = "used-" + Guid.NewGuid().ToString("N")[..8];
        await head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["true"], SubmissionId = id }, default);
        var used = await Assert.ThrowsAsync<JobRequestException>(() => head.Supervisor.SubmitAsync(new JobSubmitRequest { Entrypoint = ["true"], SubmissionId = id }, default));
        Assert.Equal(409, used.Status);
        await EndedAsync(id);
    }

    [Fact]
    public async Task A_job_left_running_by_a_head_that_is_gone_is_marked_FAILED()
    {
        var orphan = new SubmittedJobInfo
        {
            Id = "orphan-" + Guid.NewGuid().ToString("N")[..8],
            Entrypoint = ["dotnet", "Gone.dll"],
            Status = SubmittedJobStatus.Running,
            StartTime = DateTimeOffset.UtcNow,
            HeadNode = new NodeId("127.0.0.1:1@1"),
        };
        Assert.True(await head.Gcs.AddSubmittedJobAsync(orphan));

        await head.Supervisor.SweepAsync();

        var job = await head.Supervisor.GetAsync(orphan.Id, default);
        Assert.Equal((SubmittedJobStatus.Failed, JobSupervisor.HeadStoppedMessage), (job.Status, job.Message));
    }

    private static byte[] Zip(string directory)
    {
        using var buffer = new MemoryStream();
        ZipFile.CreateFromDirectory(directory, buffer);
        return buffer.ToArray();
    }
}
