using Grid.Hosting;
using Grid.Silo.Gcs;

namespace Grid.Silo.Cli;

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

    public static async Task EnsureReachableAsync(GridClusterAddress cluster)
    {
        var gcs = await ConnectAsync(cluster).ConfigureAwait(false);
        await gcs.DisposeAsync().ConfigureAwait(false);
    }
}
