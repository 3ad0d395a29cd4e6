using System.IO.Compression;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Grid.State;

namespace Grid.Jobs;

/// <summary>
/// Submits and manages jobs on a cluster's head over its web service (Ray's <c>JobSubmissionClient</c>; <c>grid job</c>
/// is built on it). Authenticates with the cluster's password (a bearer token). Errors of the service, and a head that
/// does not answer, end in <see cref="GridApiException"/> with the service's own message.
/// </summary>
public sealed class GridJobClient : IDisposable
{
    /// <summary>The largest working directory package (zipped) a head accepts.</summary>
    public const long MaxPackageBytes = 256L * 1024 * 1024;
    /// <summary>How often <see cref="FollowLogsAsync"/> and <see cref="WaitAsync"/> ask the head.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    // A stop waits for the driver's grace period and the end of its cluster job; an upload for up to 256 MB to travel.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(15);

    private readonly HeadApi _api;

    /// <param name="address">The head's web service, e.g. http://head:8265.</param>
    /// <param name="password">The cluster's password; null for a cluster without one.</param>
    public GridJobClient(string address, string? password) => _api = new HeadApi(address, password, Timeout.InfiniteTimeSpan);

    /// <summary>The web service's address (scheme, host and port).</summary>
    public string Address => _api.Address;

    /// <summary>Submits a job; with <paramref name="workingDirectory"/>, zips and uploads that directory first (skipped when the head has it already).</summary>
    public async Task<string> SubmitAsync(IReadOnlyList<string> entrypoint, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? submissionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entrypoint);
        if (entrypoint.Count == 0 || string.IsNullOrWhiteSpace(entrypoint[0]))
            throw new ArgumentException("A job needs an entrypoint: the driver's command line, e.g. [\"dotnet\", \"MyDriver.dll\"].", nameof(entrypoint));
        var package = workingDirectory is null ? null : await UploadAsync(workingDirectory, cancellationToken).ConfigureAwait(false);
        var request = new JobSubmitRequest { Entrypoint = entrypoint, WorkingDirPackage = package, Environment = environment, SubmissionId = submissionId };
        var response = await CallAsync(CallTimeout, token => _api.PostAsync<JobSubmitResponse>("api/jobs", request, token), cancellationToken).ConfigureAwait(false);
        return response.SubmissionId;
    }

    public Task<JobView> GetAsync(string submissionId, CancellationToken cancellationToken = default) =>
        CallAsync(CallTimeout, token => _api.GetAsync<JobView>($"api/jobs/{Escape(submissionId)}", token), cancellationToken);

    /// <summary>Every job of the cluster: submitted ones and drivers that connected by themselves.</summary>
    public async Task<IReadOnlyList<JobView>> ListAsync(CancellationToken cancellationToken = default) =>
        (await CallAsync(CallTimeout, token => _api.GetAsync<Page<JobView>>("api/jobs?limit=10000", token), cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>The whole log so far.</summary>
    public async Task<string> GetLogsAsync(string submissionId, CancellationToken cancellationToken = default)
    {
        var text = new System.Text.StringBuilder();
        long offset = 0;
        while (true)
        {
            var chunk = await ReadLogAsync(submissionId, offset, cancellationToken).ConfigureAwait(false);
            text.Append(chunk.Text);
            if (chunk.NextOffset == offset || chunk.Ended) return text.ToString();
            offset = chunk.NextOffset;
        }
    }

    /// <summary>The log as it is written, until the job ends (or the token is cancelled).</summary>
    public async IAsyncEnumerable<string> FollowLogsAsync(string submissionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long offset = 0;
        while (true)
        {
            var chunk = await ReadLogAsync(submissionId, offset, cancellationToken).ConfigureAwait(false);
            if (chunk.Text.Length > 0) yield return chunk.Text;
            if (chunk.Ended) yield break;
            // More may be there already (a read answers 1 MiB at most); otherwise wait for the driver to write.
            if (chunk.NextOffset == offset) await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            offset = chunk.NextOffset;
        }
    }

    private Task<JobLogChunk> ReadLogAsync(string submissionId, long offset, CancellationToken cancellationToken) =>
        CallAsync(CallTimeout, token => _api.GetAsync<JobLogChunk>($"api/jobs/{Escape(submissionId)}/logs?offset={offset}", token), cancellationToken);

    /// <summary>Stops the job: its driver is stopped and what the job owns (tasks, non-detached actors, objects) is freed. False when it had ended.</summary>
    public async Task<bool> StopAsync(string submissionId, CancellationToken cancellationToken = default) =>
        (await CallAsync(StopTimeout, token => _api.PostAsync<StopAnswer>($"api/jobs/{Escape(submissionId)}/stop", null, token), cancellationToken).ConfigureAwait(false)).Stopped;

    private sealed record StopAnswer(bool Stopped);

    /// <summary>Waits until the job has ended and returns it.</summary>
    public async Task<JobView> WaitAsync(string submissionId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var job = await GetAsync(submissionId, cancellationToken).ConfigureAwait(false);
            if (job.Status is "SUCCEEDED" or "FAILED" or "STOPPED") return job;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Zips the directory (its contents, paths relative to it), uploads it unless the head has it, and returns its hash.</summary>
    private async Task<string> UploadAsync(string directory, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"The working directory '{directory}' does not exist.");
        await using var zip = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        await ZipFile.CreateFromDirectoryAsync(full, zip, CompressionLevel.Optimal, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
        if (zip.Length > MaxPackageBytes)
            throw new GridException($"The working directory '{directory}' zips to {zip.Length / (1024 * 1024)} MB; a head accepts at most {MaxPackageBytes / (1024 * 1024)} MB. " +
                "Leave build outputs and data out of it (data belongs in the object store or shared storage).");
        zip.Position = 0;
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(zip, cancellationToken).ConfigureAwait(false));
        if (await HasPackageAsync(hash, cancellationToken).ConfigureAwait(false)) return hash;
        zip.Position = 0;
        await CallAsync(UploadTimeout, async token =>
        {
            var content = new StreamContent(zip);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            content.Headers.ContentLength = zip.Length;
            using var response = await _api.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"api/packages/{hash}") { Content = content },
                HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return hash;
    }

    private Task<bool> HasPackageAsync(string hash, CancellationToken cancellationToken) => CallAsync(CallTimeout, async token =>
    {
        try
        {
            using var response = await _api.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/packages/{hash}"), HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            return true;
        }
        catch (GridApiException e) when (e.StatusCode == 404) { return false; }
    }, cancellationToken);

    /// <summary>Runs a call with its own time limit: a head that does not answer in time is a <see cref="GridApiException"/>, not a hang.</summary>
    private async Task<T> CallAsync<T>(TimeSpan limit, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GridApiException($"The Grid head's web service at {Address} did not answer within {limit.TotalSeconds:F0} s; check that the head runs and can reach its Redis.",
                Address, 0, e);
        }
    }

    private static string Escape(string submissionId) => Uri.EscapeDataString(submissionId);

    public void Dispose() => _api.Dispose();
}
