using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Grid.Jobs;
using Grid.State;
using Grid.Testing;
using Grid.Wire;

namespace Grid.Dashboard.Tests.Jobs;

/// <summary>
/// Job submission through the head's web service with the cluster's password, as <c>grid job</c> and .NET callers use
/// it (<see cref="GridJobClient"/>): drivers are real processes that join the cluster.
/// </summary>
public sealed class JobEndpointTests(DashboardJobHead head) : IClassFixture<DashboardJobHead>
{
    private GridJobClient Client(string? password = JobHead.Password) => new(head.DashboardUrl, password);

    [Fact]
    public async Task A_driver_submitted_with_a_working_directory_reads_its_file_succeeds_and_its_log_is_followed_to_the_end()
    {
        var directory = Directory.CreateTempSubdirectory("grid-job-workdir-").FullName;
        try
        {
            var secret = "uploaded " + Guid.NewGuid().ToString("N");
            await File.WriteAllTextAsync(Path.Combine(directory, "input.txt"), secret);
            using var client = Client();

            var id = await client.SubmitAsync(JobHead.Driver("--read", "input.txt"), directory, new Dictionary<string, string> { ["TOKEN"] = "hidden-value" });
            var followed = string.Concat(await client.FollowLogsAsync(id).ToListAsync());
            var job = await client.WaitAsync(id);

            Assert.True(job.Status == "SUCCEEDED", $"{job.Status}: {job.Message}\n{followed}");
            Assert.Contains($"job driver read input.txt: {secret}", followed);
            Assert.Contains("job driver squares: [0, 1, 4, 9]", followed);
            Assert.Equal(followed, await client.GetLogsAsync(id));
            Assert.Equal(("SUBMISSION", 0), (job.Type, job.ExitCode));
            Assert.NotNull(job.JobId);
            Assert.Contains(await client.ListAsync(), j => j.SubmissionId == id && j.JobId == job.JobId);
            // The job's environment is never answered.
            using var http = Http();
            Assert.DoesNotContain("hidden-value", await http.GetStringAsync($"api/jobs/{id}"));
            Assert.DoesNotContain("hidden-value", await http.GetStringAsync("api/jobs"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_driver_is_FAILED_with_its_exit_code()
    {
        using var client = Client();
        var id = await client.SubmitAsync(JobHead.Driver("--exit", "3"));

        var job = await client.WaitAsync(id);
        Assert.Equal(("FAILED", 3), (job.Status, job.ExitCode));
        Assert.Contains("code 3", job.Message);
    }

    [Fact]
    public async Task Stop_stops_a_running_driver_and_its_actor_dies()
    {
        using var client = Client();
        var id = await client.SubmitAsync(JobHead.Driver("--block"));
        await Eventually.WaitAsync(async () => (await client.GetLogsAsync(id)).Contains("blocking until stopped"), TimeSpan.FromMinutes(2), "the driver to block");
        var driver = (await client.GetAsync(id)).JobId;
        var actor = Assert.Single(await head.Gcs.GetActorsAsync(), a => a.Job.Value == driver);

        Assert.True(await client.StopAsync(id));

        Assert.Equal("STOPPED", (await client.GetAsync(id)).Status);
        await Eventually.WaitAsync(async () => (await head.Gcs.GetActorAsync(actor.ActorId))!.State == ActorState.Dead, TimeSpan.FromMinutes(1), "the job's actor to die");
        Assert.False(await client.StopAsync(id));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_401()
    {
        using var client = Client("not-the-password");
        var refused = await Assert.ThrowsAsync<GridApiException>(() => client.SubmitAsync(["true"]));
        Assert.Equal(401, refused.StatusCode);
        using var none = Client(password: null);
        Assert.Equal(401, (await Assert.ThrowsAsync<GridApiException>(() => none.ListAsync())).StatusCode);
    }

    [Fact]
    public async Task A_zip_slip_package_is_refused_with_400_saying_so()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = await archive.CreateEntry("../outside.txt").OpenAsync();
            await entry.WriteAsync("x"u8.ToArray());
        }
        var zip = buffer.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(zip));
        using var http = Http();
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");

        using var put = await http.PutAsync($"api/packages/{hash}", content);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("zip-slip", (await put.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error);
        using var probe = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/packages/{hash}"));
        Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
    }

    [Fact]
    public async Task Bad_requests_are_answered_as_ApiError_with_what_to_do()
    {
        using var client = Client();
        Assert.Equal(404, (await Assert.ThrowsAsync<GridApiException>(() => client.GetAsync("no-such-job"))).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<GridApiException>(() => client.GetLogsAsync("no-such-job"))).StatusCode);
        using var http = Http();
        using var unknownPackage = await http.PostAsJsonAsync("api/jobs", new JobSubmitRequest { Entrypoint = ["true"], WorkingDirPackage = new string('0', 64) }, HeadApi.Json);
        Assert.Equal(HttpStatusCode.BadRequest, unknownPackage.StatusCode);
        Assert.Contains("PUT /api/packages", (await unknownPackage.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error);
        using var empty = await http.PostAsJsonAsync("api/jobs", new { entrypoint = Array.Empty<string>() }, HeadApi.Json);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("entrypoint", (await empty.Content.ReadFromJsonAsync<ApiError>(HeadApi.Json))!.Error);

        var id = "once-" + Guid.NewGuid().ToString("N")[..8];
        await client.SubmitAsync(["true"], submissionId: id);
        Assert.Equal(409, (await Assert.ThrowsAsync<GridApiException>(() => client.SubmitAsync(["true"], submissionId: id))).StatusCode);
        Assert.Equal("SUCCEEDED", (await client.WaitAsync(id)).Status);
    }

    private HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = new Uri(head.DashboardUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JobHead.Password);
        return http;
    }
}
