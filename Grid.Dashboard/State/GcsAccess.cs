using Grid.Dashboard.Web;
using Grid.Silo.Gcs;
using StackExchange.Redis;

namespace Grid.Dashboard.State;

/// <summary>
/// The one path from the web service to the GCS: every read waits at most <see cref="DashboardOptions.GcsTimeout"/>, and a
/// GCS that does not answer (Redis down, unreachable, slower than that) becomes a <see cref="GcsUnreachableException"/>
/// naming Redis's address and what to do, which the API answers with 503: a head without its GCS answers, never hangs.
/// </summary>
internal sealed class GcsAccess(IGcs gcs, DashboardOptions options)
{
    public IGcs Gcs => gcs;

    /// <summary>Where the GCS lives, for messages: Redis's address, or the in-process GCS of an embedded or test cluster.</summary>
    public string Where => gcs is RedisGcs redis ? $"Redis at {redis.Options.Address}"
        : string.IsNullOrEmpty(options.ClusterAddress) ? "in this process" : $"Redis at {options.ClusterAddress}";

    public Task<T> ReadAsync<T>(Func<IGcs, Task<T>> read, CancellationToken cancellationToken) => ReadAsync(read, options.GcsTimeout, cancellationToken);

    /// <summary>A read that may take longer than a plain GCS read (it asks the nodes too), bounded by <paramref name="timeout"/>.</summary>
    public async Task<T> ReadAsync<T>(Func<IGcs, Task<T>> read, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await read(gcs).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsGcsFailure(e))
        {
            var reason = e is TimeoutException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message;
            throw new GcsUnreachableException($"The head cannot reach the cluster's GCS ({Where}): {reason}. " +
                "Restart Redis (or bring back its network), or the head if Redis is up; the cluster's state is unavailable until then.", e);
        }
    }

    /// <summary>Whether <paramref name="e"/> says the GCS is out of reach (not that a request was wrong).</summary>
    public static bool IsGcsFailure(Exception e) => e is TimeoutException or GcsUnavailableException or GridConnectionException or RedisException
        || e is AggregateException { InnerExceptions: [var inner] } && IsGcsFailure(inner);
}
