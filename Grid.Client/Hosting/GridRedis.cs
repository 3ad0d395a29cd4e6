using Orleans.Clustering.Redis;
using StackExchange.Redis;

namespace Grid.Hosting;

/// <summary>
/// Connects to a cluster's Redis with the errors a user can act on: a refused or missing password
/// becomes <see cref="GridAuthenticationException"/>, an unreachable server <see cref="GridConnectionException"/>.
/// The GCS, the Orleans membership table (silos) and the gateway list (clients) all connect through here.
/// </summary>
internal static class GridRedis
{
    /// <summary>Opens a connection and checks it answers a PING (which needs a valid password).</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(GridRedisOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConnectionMultiplexer? muxer = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
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
            throw Translate(e, options, System.Diagnostics.Stopwatch.GetElapsedTime(started));
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

    /// <summary>
    /// The typed error for a failed connect or first command, in Grid's words: what happened (refused at once, or no
    /// answer within the timeout) and what to check. The client library's own text (with its advice on its own
    /// settings) stays in the inner exception.
    /// </summary>
    public static GridException Translate(Exception error, GridRedisOptions options, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (IsAuthenticationFailure(error))
        {
            var what = string.IsNullOrEmpty(options.Password)
                ? "requires a password and none was given"
                : "refused the password";
            return new GridAuthenticationException(
                $"The cluster at {options.Address} {what}. Set {options.PasswordOptionName} to the cluster's password (the head's --password).",
                options.Address, error);
        }
        var port = options.Address[(options.Address.LastIndexOf(':') + 1)..];
        var happened = elapsed < options.ConnectTimeout / 2
            ? $"the connection failed at once ({Reason(error)})"
            : $"it did not answer within {options.ConnectTimeout.TotalSeconds:0.#} s";
        return new GridConnectionException(
            $"Could not reach the cluster at {options.Address}: {happened}. Check that the head runs there ('grid status' on its machine), " +
            $"that {options.Address} is the head's address (the HOST:PORT 'grid start --head' printed), and that no firewall blocks port {port}.",
            options.Address, error);
    }

    /// <summary>The socket's own reason (connection refused, host unreachable…) when the library recorded one.</summary>
    private static string Reason(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is System.Net.Sockets.SocketException socket) return socket.SocketErrorCode switch
            {
                System.Net.Sockets.SocketError.ConnectionRefused => "nothing accepts connections on that port",
                System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkUnreachable => "the host cannot be reached from here",
                System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData => "the host name does not resolve",
                var other => other.ToString(),
            };
        return error is RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect or ConnectionFailureType.SocketFailure }
            ? "nothing accepted the connection" : "the connection was closed";
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
