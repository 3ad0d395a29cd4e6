using System.Net;
using System.Net.Sockets;
using Grid.Hosting;
using Grid.Silo.Gcs;
using Grid.Testing;
using StackExchange.Redis;

namespace Grid.Gcs.Tests.Redis;

/// <summary>Connecting to the cluster's Redis: passwords, unreachable servers, and where the keys go.</summary>
public sealed class RedisConnectionTests
{
    [Fact]
    public async Task A_wrong_password_fails_with_GridAuthenticationException_naming_the_option()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret");

        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() =>
            RedisGcs.ConnectAsync(new GridRedisOptions { Address = redis.Address, Password = "wrong" }));

        Assert.Equal(redis.Address, error.Address);
        Assert.Contains("GridRedisOptions.Password", error.Message);
        Assert.Contains(redis.Address, error.Message);
    }

    [Fact]
    public async Task A_missing_password_fails_with_GridAuthenticationException_naming_the_host_option()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret");

        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() =>
            RedisGcs.ConnectAsync(new GridRedisOptions { Address = redis.Address, PasswordOptionName = "--redis-password" }));

        Assert.Contains("--redis-password", error.Message);
        Assert.Contains("none was given", error.Message);
    }

    [Fact]
    public async Task The_right_password_connects()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret");
        await using var gcs = await RedisGcs.ConnectAsync(new GridRedisOptions { Address = redis.Address, Password = "s3cret" });

        await gcs.PutCodePackageAsync("h", new byte[] { 1 });
        Assert.True(await gcs.HasCodePackageAsync("h"));
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_GridConnectionException_naming_the_address_in_Grids_words()
    {
        var address = $"127.0.0.1:{LoopbackPorts.Next()}";

        // A long timeout: the refusal comes at once, and the message must say so rather than blame the timeout.
        var error = await Assert.ThrowsAsync<GridConnectionException>(() =>
            RedisGcs.ConnectAsync(new GridRedisOptions { Address = address, ConnectTimeout = TimeSpan.FromSeconds(30) }));

        Assert.Equal(address, error.Address);
        Assert.Contains(address, error.Message);
        Assert.Contains("failed at once", error.Message);
        Assert.Contains("head runs there", error.Message);
        Assert.DoesNotContain("within", error.Message);
        Assert.DoesNotContain("abortConnect", error.Message);
        Assert.IsType<RedisConnectionException>(error.InnerException);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_fails_with_GridConnectionException_instead_of_hanging()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<TcpClient>();
        _ = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await silent.AcceptTcpClientAsync()); }
            catch (Exception) { /* listener stopped */ }
        });
        var address = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        var error = await Assert.ThrowsAsync<GridConnectionException>(() =>
            RedisGcs.ConnectAsync(new GridRedisOptions { Address = address, ConnectTimeout = TimeSpan.FromSeconds(1) }));

        Assert.Equal(address, error.Address);
        Assert.Contains("did not answer within 1 s", error.Message);
        Assert.DoesNotContain("abortConnect", error.Message);
        silent.Stop();
        foreach (var c in accepted) c.Dispose();
    }

    [Fact]
    public async Task Every_key_is_under_the_cluster_prefix()
    {
        await using var redis = await RedisServer.StartAsync();
        var options = new GridRedisOptions { Address = redis.Address, ClusterId = "prefixed" };
        await using (var gcs = await RedisGcs.ConnectAsync(options))
        {
            var node = Contract.GcsRecords.Node();
            await gcs.UpsertNodeAsync(node);
            await gcs.MarkNodeDeadAsync(node.NodeId);
            var actor = await gcs.RegisterActorAsync(Contract.GcsRecords.Actor("named"));
            await gcs.UpdateActorAsync(actor with { State = Wire.ActorState.Alive });
            await gcs.AddJobAsync(Contract.GcsRecords.Job());
            await gcs.PutCodePackageAsync("h", new byte[] { 1 });
            await gcs.AddObjectLocationAsync(ObjectId.New(), node.NodeId, 1);
            await gcs.AddTaskEventsAsync([Contract.GcsRecords.Event(1)]);
        }

        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var keys = raw.GetServer(redis.Address).Keys(pattern: "*").Select(k => k.ToString()).ToArray();
        Assert.True(keys.Length >= 8, string.Join(", ", keys));
        Assert.All(keys, k => Assert.StartsWith("grid:prefixed:", k));
    }
}
