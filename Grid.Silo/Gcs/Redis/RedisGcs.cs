using Grid.Silo.Diagnostics;
using Grid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using StackExchange.Redis;

namespace Grid.Silo.Gcs;

/// <summary>
/// The GCS of a real cluster, in Redis. Every silo of the cluster and the <c>grid</c> command share
/// it; all keys live under <see cref="GridRedisOptions.KeyPrefix"/> (see <see cref="RedisKeys"/>).
/// Values are the GCS records (<c>NodeInfo</c>, <c>ActorInfo</c>…) in Orleans' binary format: they are
/// already <c>[GenerateSerializer]</c> wire types with numbered, version-tolerant fields, so a silo of
/// the next version still reads what this one wrote, and no second set of storage types is needed.
/// Whatever must be decided atomically (named actors, dead nodes, object locations) is one Lua script.
/// </summary>
internal sealed partial class RedisGcs : IGcs, IAsyncDisposable
{
    private readonly GridRedisOptions _options;
    private readonly Serializer _serializer;
    private readonly ILogger _logger;
    private readonly RedisKeys _keys;
    private readonly IDisposable? _ownedServices;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _connection;
    private IDatabase? _db;

    /// <summary>
    /// A GCS that connects on first use (or on <see cref="StartAsync"/>). Inside a silo, use
    /// <c>ISiloBuilder.UseGridRedis</c>; elsewhere, <see cref="ConnectAsync(GridRedisOptions, ILoggerFactory?, CancellationToken)"/>.
    /// </summary>
    public RedisGcs(GridRedisOptions options, Serializer serializer, ILogger<RedisGcs>? logger = null)
        : this(options, serializer, logger, null) { }

    private RedisGcs(GridRedisOptions options, Serializer serializer, ILogger? logger, IDisposable? ownedServices)
    {
        _options = options.Clone();
        _serializer = serializer;
        _logger = logger ?? NullLogger.Instance;
        _keys = new RedisKeys(_options.KeyPrefix);
        _ownedServices = ownedServices;
    }

    /// <summary>
    /// Connects to a cluster's GCS from any process (the <c>grid</c> command, tools, tests), with a
    /// serializer of its own. Throws <see cref="GridAuthenticationException"/> for a wrong or missing
    /// password and <see cref="GridConnectionException"/> when Redis cannot be reached in time.
    /// </summary>
    public static async Task<RedisGcs> ConnectAsync(GridRedisOptions options, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = new ServiceCollection()
            .AddSerializer(s => s.AddAssembly(typeof(Wire.NodeInfo).Assembly))
            .BuildServiceProvider();
        var gcs = new RedisGcs(options, services.GetRequiredService<Serializer>(), loggers?.CreateLogger<RedisGcs>(), services);
        try
        {
            await gcs.StartAsync(cancellationToken).ConfigureAwait(false);
            return gcs;
        }
        catch
        {
            await gcs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The options this GCS was made with (a copy).</summary>
    public GridRedisOptions Options => _options.Clone();

    /// <summary>Connects now (a silo does this early in its start, so a bad password fails the start).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default) => await DatabaseAsync(cancellationToken).ConfigureAwait(false);

    private ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken = default) =>
        _db is { } db ? ValueTask.FromResult(db) : new ValueTask<IDatabase>(ConnectSlowAsync(cancellationToken));

    private async Task<IDatabase> ConnectSlowAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_db is { } db) return db;
            var connection = await GridRedis.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
            // Pub/sub messages can be missed while the connection is down; wake every waiter so it re-reads.
            connection.ConnectionRestored += (_, _) => WakeAllPlacementWaiters();
            await SubscribePlacementsAsync(connection).ConfigureAwait(false);
            _connection = connection;
            NodeLog.GcsConnected(_logger, _options.Address, _options.KeyPrefix);
            return _db = connection.GetDatabase(_options.Database);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private byte[] Serialize<T>(T value) => _serializer.SerializeToArray(value);

    private T Deserialize<T>(RedisValue value) => _serializer.Deserialize<T>((ReadOnlyMemory<byte>)value)!;

    private T? DeserializeOrNull<T>(RedisValue value) where T : class => value.IsNull ? null : Deserialize<T>(value);

    public async ValueTask DisposeAsync()
    {
        WakeAllPlacementWaiters();
        if (_connection is { } connection) await connection.DisposeAsync().ConfigureAwait(false);
        _ownedServices?.Dispose();
        _connectLock.Dispose();
    }
}
