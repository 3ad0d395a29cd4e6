using Grid.Grains;
using Xunit.Abstractions;
using Grid.Hosting;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.Gcs.Tests.Redis;

/// <summary>
/// Silos and clients forming one cluster through <c>UseGridRedis</c> on a real redis-server with a
/// password: membership, the shared GCS, grain calls reaching every silo, and a killed silo being
/// declared dead by the survivors.
/// </summary>
public sealed class RedisClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "cluster-pass";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private RedisServer _redis = null!;
    private readonly RedisHosts _hosts = new();

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync(Password);

    private GridRedisOptions Options(string clusterId, string? password = Password) =>
        new() { Address = _redis.Address, ClusterId = clusterId, Password = password };

    private Task<IHost> StartSiloAsync(GridRedisOptions redis) => _hosts.StartSiloAsync(redis, o => o.NumCpus = 2);

    private Task<IHost> StartClientAsync(GridRedisOptions redis) => _hosts.StartClientAsync(redis);

    [Fact]
    public async Task Two_silos_and_a_client_form_a_cluster_and_a_killed_silo_is_declared_dead()
    {
        var options = Options("two-silos");
        var first = await StartSiloAsync(options);
        await using var second = await TestSiloProcess.StartAsync(_redis.Address, options.ClusterId, LoopbackPorts.Next(), LoopbackPorts.Next(), Password);
        var client = (await StartClientAsync(options)).Services.GetRequiredService<IClusterClient>();

        // Both nodes published themselves, with their gateways, to the one GCS in Redis.
        await using var gcs = await RedisGcs.ConnectAsync(options);
        var nodes = await gcs.GetNodesAsync();
        var firstId = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        Assert.Equal(new[] { firstId, second.SiloAddress }.Order(), nodes.Select(n => n.NodeId.Value).Order());
        Assert.All(nodes, n => Assert.NotEqual("", n.GatewayAddress));
        Assert.All(nodes, n => Assert.NotEqual("", n.HostName));

        // The client found the cluster through Redis, and its calls reach each silo's own raylet.
        foreach (var node in nodes)
        {
            var info = await client.GetGrain<IRayletGrain>(node.NodeId.Value).GetNodeInfo();
            Assert.Equal(node.NodeId, info.NodeId);
        }

        // A GridClient finds the cluster through the same options (GridClientOptions.Redis).
        await using (var grid = await GridClient.ConnectAsync(new GridClientOptions { Redis = options }))
            Assert.NotEmpty(await grid.GetNodesAsync());

        // Killed without a goodbye, the second silo is found dead by the first one's probes.
        var membership = first.Services.GetRequiredService<IClusterMembershipService>();
        var secondAddress = SiloAddress.FromParsableString(second.SiloAddress);
        using var patience = new CancellationTokenSource(Patience);
        var declaredDead = WaitForStatusAsync(membership, secondAddress, SiloStatus.Dead, patience.Token);
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        await second.KillAsync();
        await declaredDead;
        output.WriteLine($"The killed silo was declared dead {killedAt.Elapsed.TotalSeconds:0.0} s after the kill.");
    }

    private static async Task WaitForStatusAsync(IClusterMembershipService membership, SiloAddress silo, SiloStatus status, CancellationToken cancellationToken)
    {
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            if (snapshot.GetSiloStatus(silo) == status) return;
    }

    [Fact]
    public async Task A_silo_with_a_wrong_password_fails_to_start_with_GridAuthenticationException()
    {
        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() => StartSiloAsync(Options("bad-silo", password: "wrong")));
        Assert.Contains("GridRedisOptions.Password", error.Message);
    }

    [Fact]
    public async Task A_client_without_the_password_fails_to_connect_with_GridAuthenticationException()
    {
        await StartSiloAsync(Options("bad-client"));

        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() => StartClientAsync(Options("bad-client", password: null)));
        Assert.Contains("none was given", error.Message);
    }

    [Fact]
    public async Task A_silo_or_client_whose_Redis_is_unreachable_fails_with_GridConnectionException()
    {
        var nowhere = new GridRedisOptions { Address = $"127.0.0.1:{LoopbackPorts.Next()}", ClusterId = "nowhere", ConnectTimeout = TimeSpan.FromSeconds(1) };

        var silo = await Assert.ThrowsAsync<GridConnectionException>(() => StartSiloAsync(nowhere));
        var client = await Assert.ThrowsAsync<GridConnectionException>(() => StartClientAsync(nowhere));

        Assert.Equal(nowhere.Address, silo.Address);
        Assert.Contains(nowhere.Address, client.Message);
    }

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
