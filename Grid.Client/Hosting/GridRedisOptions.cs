using StackExchange.Redis;

namespace Grid.Hosting;

/// <summary>
/// Where a Grid cluster keeps its GCS and its Orleans membership table: one Redis server, shared by
/// every silo, client and the <c>grid</c> command of the cluster. All keys start with <see cref="KeyPrefix"/>.
/// </summary>
public sealed class GridRedisOptions
{
    public const string DefaultAddress = "127.0.0.1:6379";

    /// <summary>The Redis server, "host:port".</summary>
    public string Address { get; set; } = DefaultAddress;

    /// <summary>The server's <c>requirepass</c>; null when it has none.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// How error messages name the password setting to the user. Hosts with their own configuration
    /// surface (the <c>grid</c> command's flags, an environment variable) set this to their name for it.
    /// </summary>
    public string PasswordOptionName { get; set; } = $"{nameof(GridRedisOptions)}.{nameof(Password)}";

    /// <summary>Separates clusters sharing one Redis; also the Orleans cluster id.</summary>
    public string ClusterId { get; set; } = "grid";

    /// <summary>The Redis database number.</summary>
    public int Database { get; set; }

    /// <summary>How long connecting may take before it fails with <see cref="GridConnectionException"/>.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many task events the GCS keeps; older ones are dropped first.</summary>
    public int TaskEventCapacity { get; set; } = 10_000;

    /// <summary>Every key of this cluster starts with this: <c>grid:{ClusterId}:</c>.</summary>
    public string KeyPrefix => $"grid:{ClusterId}:";

    /// <summary>StackExchange.Redis settings for these options; connecting fails fast instead of retrying in the background.</summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var config = new ConfigurationOptions
        {
            Password = string.IsNullOrEmpty(Password) ? null : Password,
            DefaultDatabase = Database,
            ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds,
            // A bad address or password must surface at start as a typed error, not as a
            // multiplexer that keeps retrying while every call hangs until its own timeout.
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ClientName = "grid",
        };
        config.EndPoints.Add(Address);
        return config;
    }

    public GridRedisOptions Clone() => (GridRedisOptions)MemberwiseClone();

    /// <summary>Copies every setting onto <paramref name="target"/> (for <c>UseGridRedis(options.CopyTo)</c>).</summary>
    public void CopyTo(GridRedisOptions target)
    {
        target.Address = Address;
        target.Password = Password;
        target.PasswordOptionName = PasswordOptionName;
        target.ClusterId = ClusterId;
        target.Database = Database;
        target.ConnectTimeout = ConnectTimeout;
        target.TaskEventCapacity = TaskEventCapacity;
    }
}
