using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Grid.Hosting;

public static class GridRedisClientBuilderExtensions
{
    /// <summary>
    /// How often a client re-reads the gateway list from Redis. Orleans' default is a minute; a client
    /// would keep trying a dead silo's gateway that long. Two seconds costs one small Redis read.
    /// </summary>
    /// <summary>The Orleans service id of every Grid cluster (clusters differ by <see cref="GridRedisOptions.ClusterId"/>).</summary>
    public const string ServiceId = "grid";

    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Finds the cluster's silos through its Redis (the gateways live silos publish to the Orleans
    /// membership table there). A wrong or missing password fails the client's start with
    /// <see cref="GridAuthenticationException"/>; an unreachable server with <see cref="GridConnectionException"/>.
    /// </summary>
    public static IClientBuilder UseGridRedis(this IClientBuilder client, Action<GridRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new GridRedisOptions();
        configure(options);
        client.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = ServiceId; });
        client.UseRedisClustering(o => GridRedis.ConfigureClustering(o, options));
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
        return client;
    }
}
