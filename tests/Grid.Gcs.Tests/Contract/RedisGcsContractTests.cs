using Grid.Hosting;
using Grid.Silo.Gcs;
using Grid.Testing;

namespace Grid.Gcs.Tests.Contract;

/// <summary>
/// The contract against the Redis GCS on a real redis-server. Each test uses its own cluster id (so
/// its own keys), and "another client" is a separate connection, as another process would have.
/// </summary>
public sealed class RedisGcsContractTests(RedisServer redis) : GcsContractTests, IClassFixture<RedisServer>
{
    private readonly List<RedisGcs> _connections = [];
    private GridRedisOptions _options = null!;

    private protected override async Task<IGcs> CreateAsync(int taskEventCapacity)
    {
        _options = new GridRedisOptions
        {
            Address = redis.Address,
            ClusterId = "contract-" + Guid.NewGuid().ToString("N")[..8],
            TaskEventCapacity = taskEventCapacity,
        };
        return await ConnectAnotherAsync();
    }

    private protected override async Task<IGcs> ConnectAnotherAsync()
    {
        var gcs = await RedisGcs.ConnectAsync(_options);
        lock (_connections) _connections.Add(gcs);
        return gcs;
    }

    public override async Task DisposeAsync()
    {
        foreach (var gcs in _connections) await gcs.DisposeAsync();
    }
}
