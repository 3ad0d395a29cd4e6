using Grid.State;

namespace Grid.Jobs;

/// <summary>
/// Submits and manages jobs on a cluster's head over its web service (Ray's <c>JobSubmissionClient</c>; <c>grid job</c>
/// is built on it). Authenticates with the cluster's password (a bearer token).
/// </summary>
public sealed class GridJobClient : IDisposable
{
    /// <param name="address">The head's web service, e.g. http://head:8265.</param>
    /// <param name="password">The cluster's password; null for a cluster without one.</param>
    public GridJobClient(string address, string? password) => throw new NotImplementedException();

    /// <summary>Submits a job; with <paramref name="workingDirectory"/>, zips and uploads that directory first (skipped when the head has it already).</summary>
    public Task<string> SubmitAsync(IReadOnlyList<string> entrypoint, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? submissionId = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<JobView> GetAsync(string submissionId, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<JobView>> ListAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>The whole log so far.</summary>
    public Task<string> GetLogsAsync(string submissionId, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>The log as it is written, until the job ends (or the token is cancelled).</summary>
    public IAsyncEnumerable<string> FollowLogsAsync(string submissionId, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Stops the job: its driver is stopped and what the job owns (tasks, non-detached actors, objects) is freed. False when it had ended.</summary>
    public Task<bool> StopAsync(string submissionId, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Waits until the job has ended and returns it.</summary>
    public Task<JobView> WaitAsync(string submissionId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public void Dispose() { }
}
