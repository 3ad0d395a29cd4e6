using Grid.Hosting;

namespace Grid.TestSilo;

/// <summary>
/// A driver in its own process, for tests that kill a client with SIGKILL: it leaves behind what a crashed program
/// leaves — a stored object it owns, a ref it borrows from a node, an actor of its job, a detached actor holding a ref
/// to its object — prints "READY job|owner|owned|borrowed|actor|detached" and waits to be killed.
/// </summary>
public static class DyingClient
{
    public const string DetachedName = "outlives-its-client";
    public const int Size = 1 << 20; // stored, not inline

    public static async Task<int> RunAsync(string redis, string clusterId, string password)
    {
        var grid = await GridClient.ConnectAsync(new GridClientOptions
        {
            Redis = new GridRedisOptions { Address = redis, ClusterId = clusterId, Password = password },
            LeaseRenewal = TimeSpan.FromMilliseconds(200),
        });
        var owned = await grid.PutAsync(new byte[Size]);
        var borrowed = await grid.Function<int, ObjectRef<byte[]>>(PutOnNode).Remote(Size).GetAsync();
        var actor = await grid.CreateActorAsync(() => new Holder());
        var detached = await grid.CreateActorAsync(() => new Holder(), new ActorOptions { Name = DetachedName, Lifetime = ActorLifetime.Detached });
        await actor.Call(h => h.Keep(owned)).GetAsync();
        await detached.Call(h => h.Keep(owned)).GetAsync();
        Console.WriteLine($"READY {grid.JobId}|{owned.Owner}|{owned.Id}|{borrowed.Id}|{actor.ActorId}|{detached.ActorId}");
        await Console.In.ReadToEndAsync(); // killed before this returns
        GC.KeepAlive(borrowed);
        return 0;
    }

    /// <summary>A task's put: the node owns the object; the client that gets the returned ref borrows it.</summary>
    public static async Task<ObjectRef<byte[]>> PutOnNode(int size) => await GridContext.Current.Grid.PutAsync(new byte[size]);
}

/// <summary>An actor that keeps a ref and reads it on request.</summary>
public sealed class Holder
{
    private ObjectRef<byte[]>? _kept;

    public int Keep(ObjectRef<byte[]> value)
    {
        _kept = value;
        return 0;
    }

    /// <summary>Reads the kept ref: its length, or the type and message of the error the get threw.</summary>
    public async Task<string> Read()
    {
        try { return (await _kept!.GetAsync(TimeSpan.FromMinutes(2))).Length.ToString(); }
        catch (Exception e) { return $"{e.GetType().Name}: {e.Message}"; }
    }
}
