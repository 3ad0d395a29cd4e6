using Orleans.Clustering.Redis;
using StackExchange.Redis;

namespace Grid.Hosting;

/// <summary>
/// Connects to a cluster's Redis with the errors a user can act on: a refused or missing password
/// becomes <see cref="GridAuthenticationException"/>, an unreachable server <see cref="GridConnectionException"/>.
/// The GCS, the Orleans membership table (silos) and the gateway list (clients) all connect through here.
/// </summary>
public static class GridRedis
{
    /// <summary>Opens a connection and checks it answers a PING (which needs a valid password).</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(GridRedisOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConnectionMultiplexer? muxer = null;
        try
        {
            var connecting = ConnectionMultiplexer.ConnectAsync(options.ToConfigurationOptions());
            // The client library bounds the connect by ConnectTimeout itself; the extra guard makes a
            // hang impossible even if the server accepts the socket and then stays silent.
            muxer = await connecting.WaitAsync(options.ConnectTimeout * 2 + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            await muxer.GetDatabase(options.Database).PingAsync().ConfigureAwait(false);
            return muxer;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            if (muxer is not null) await muxer.DisposeAsync().ConfigureAwait(false);
            throw Translate(e, options);
        }
    }

    /// <summary>Makes Orleans' Redis clustering use <paramref name="grid"/>'s server, password, key prefix and error translation.</summary>
    public static void ConfigureClustering(RedisClusteringOptions clustering, GridRedisOptions grid)
    {
        var options = grid.Clone();
        clustering.ConfigurationOptions = options.ToConfigurationOptions();
        clustering.CreateMultiplexer = async _ => (await ConnectAsync(options).ConfigureAwait(false), false);
        clustering.CreateRedisKey = _ => options.KeyPrefix + "members";
    }

    /// <summary>The typed error for a failed connect or first command.</summary>
    public static GridException Translate(Exception error, GridRedisOptions options)
    {
        if (IsAuthenticationFailure(error))
        {
            var what = string.IsNullOrEmpty(options.Password)
                ? "requires a password and none was given"
                : "refused the password";
            return new GridAuthenticationException(
                $"Redis at {options.Address} {what}. Set {options.PasswordOptionName} to the server's requirepass value.",
                options.Address, error);
        }
        return new GridConnectionException(
            $"Could not reach Redis at {options.Address} within {options.ConnectTimeout.TotalSeconds:0.#} s ({error.Message}). " +
            "Check that redis-server runs there (redis-cli -h HOST -p PORT ping), that the host and port are right, and that no firewall blocks the port.",
            options.Address, error);
    }

    private static bool IsAuthenticationFailure(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }) return true;
            if (e.Message.Contains("WRONGPASS", StringComparison.Ordinal) || e.Message.Contains("NOAUTH", StringComparison.Ordinal)
                || e.Message.Contains("invalid password", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
