using System.Diagnostics;
using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Testing;
using Grid.TestSilo;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Grid.Gcs.Tests.Redis;

/// <summary>
/// A client (driver) process killed with SIGKILL, as a crashed program dies: the cluster notices through the job's
/// lease and cleans up after it — its job FAILED in the GCS, its stored objects and the borrows it held freed on the
/// node, its actors killed but not its detached one, and a get of its object failing at once with OwnerDiedException.
/// </summary>
public sealed class ClientDeathTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "client-death-pass";
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private RedisServer _redis = null!;
    private readonly RedisHosts _hosts = new();

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync(Password);

    private Task<IHost> StartSiloAsync(GridRedisOptions redis) => _hosts.StartSiloAsync(redis, o =>
    {
        o.NumCpus = 2;
        o.ClientTimeout = ClientTimeout;
    });

    [Fact]
    public async Task A_killed_client_has_its_job_failed_its_objects_and_borrows_freed_and_its_actors_killed_except_the_detached_one()
    {
        var options = new GridRedisOptions { Address = _redis.Address, ClusterId = "dying-client", Password = Password };
        var silo = await StartSiloAsync(options);
        var store = silo.Services.GetRequiredService<LocalObjectStore>();
        await using var gcs = await RedisGcs.ConnectAsync(options);
        await using var client = await TestSiloProcess.StartClientAsync(_redis.Address, options.ClusterId, Password);
        var words = client.SiloAddress.Split('|');
        var (job, owner, owned, borrowed) = (new JobId(words[0]), words[1], ObjectId.Parse(words[2]), ObjectId.Parse(words[3]));
        var (actor, detached) = (new ActorId(words[4]), new ActorId(words[5]));

        // Alive: its job runs, the node stores the object it put and the one it borrows from the node.
        Assert.Equal(JobStatus.Running, (await gcs.GetJobAsync(job))!.Status);
        Assert.Equal(owner, (await gcs.GetJobAsync(job))!.Owner.ToString());
        Assert.True(Stored(store, owned) && Stored(store, borrowed));

        var killed = Stopwatch.StartNew();
        await client.KillAsync();

        await Eventually.WaitAsync(async () => (await gcs.GetJobAsync(job))!.Status == JobStatus.Failed, Patience, "the dead client's job to be marked failed");
        output.WriteLine($"Job marked FAILED {killed.Elapsed.TotalSeconds:F1} s after the kill (client timeout {ClientTimeout.TotalSeconds} s).");
        await Eventually.WaitAsync(() => !Stored(store, owned) && !Stored(store, borrowed), Patience, "the dead client's object and the one it borrowed to be freed");
        output.WriteLine($"Its stored objects freed {killed.Elapsed.TotalSeconds:F1} s after the kill.");

        var killedActor = await Eventually.WaitAsync(() => gcs.GetActorAsync(actor), a => a!.State == ActorState.Dead, Patience, "its actor to die");
        Assert.Contains("client", killedActor!.DeathCause);
        Assert.Equal(ActorState.Alive, (await gcs.GetActorAsync(detached))!.State);

        // The detached actor outlived its creator; the ref it kept names a dead owner, and reading it says so at once.
        await using var grid = await GridClient.ConnectAsync(new GridClientOptions { Redis = options });
        var survivor = await grid.GetActorAsync<Holder>(DyingClient.DetachedName);
        var asked = Stopwatch.StartNew();
        var read = await survivor.Call(h => h.Read()).GetAsync(Patience);
        output.WriteLine($"The detached actor's get answered in {asked.Elapsed.TotalMilliseconds:F0} ms: {read}");
        Assert.StartsWith(nameof(OwnerDiedException), read);
        Assert.Contains(owned.ToString(), read);
        Assert.Contains(owner, read);
    }

    private static bool Stored(LocalObjectStore store, ObjectId id) => store.List().Any(o => o.Id == id);

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
