using Grid.Hosting;
using Grid.Silo.Gcs;

namespace Grid.Cli;

/// <summary>Opens the cluster's GCS, turning a wrong password or an unreachable head into a clear error.</summary>
internal static class ClusterProbe
{
    public static async Task<RedisGcs> ConnectAsync(GridClusterAddress cluster)
    {
        try
        {
            return await RedisGcs.ConnectAsync(cluster.ToRedisOptions(NodeHost.CliPasswordName)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not GridCliException)
        {
            throw new GridCliException($"Cannot use the cluster at {cluster.Address}: {ClusterErrors.Describe(e)}");
        }
    }

    /// <summary>
    /// Drops everything a previous cluster of this name kept in a shared Redis (its nodes, actors, jobs, membership
    /// and credentials): <c>grid start --head --fresh --redis-url</c>. Other clusters' keys are left alone.
    /// </summary>
    public static async Task ForgetClusterAsync(GridClusterAddress cluster)
    {
        var options = cluster.ToRedisOptions(NodeHost.CliPasswordName);
        await using var connection = await GridRedis.ConnectAsync(options).ConfigureAwait(false);
        var db = connection.GetDatabase(options.Database);
        foreach (var server in connection.GetServers())
            await foreach (var key in server.KeysAsync(options.Database, options.KeyPrefix + "*").ConfigureAwait(false))
                await db.KeyDeleteAsync(key).ConfigureAwait(false);
    }

    public static async Task EnsureReachableAsync(GridClusterAddress cluster)
    {
        var gcs = await ConnectAsync(cluster).ConfigureAwait(false);
        await gcs.DisposeAsync().ConfigureAwait(false);
    }
}
