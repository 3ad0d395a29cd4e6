using Grid.Grains;
using Grid.Wire;

namespace Grid.Bench.Workloads;

/// <summary>Ray's remote functions of the microbenchmark, as Grid tasks.</summary>
public static class RemoteWork
{
    /// <summary>Ray's small_value: returns b"ok".</summary>
    public static byte[] SmallValue() => "ok"u8.ToArray();

    /// <summary>Ray's small_value_batch: n tasks submitted from inside the cluster, then got together.</summary>
    public static async Task<int> SmallValueBatch(int n)
    {
        var grid = GridContext.Current.Grid;
        var f = grid.Function<byte[]>(SmallValue);
        var refs = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) refs[i] = f.Remote();
        await grid.GetAsync(refs);
        return 0;
    }

    /// <summary>Ray's "work" task: n calls spread round robin over the named actors.</summary>
    public static async Task<int> ActorWork(string[] actorNames, int n)
    {
        var grid = GridContext.Current.Grid;
        var actors = new ActorHandle<BenchActor>[actorNames.Length];
        for (var i = 0; i < actors.Length; i++) actors[i] = await grid.GetActorAsync<BenchActor>(actorNames[i]);
        var refs = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) refs[i] = actors[i % actors.Length].Call(a => a.SmallValue());
        await grid.GetAsync(refs);
        return 0;
    }

    /// <summary>Ray's do_put_small: n puts of a small value from inside a task.</summary>
    public static async Task<int> PutSmallBatch(int n)
    {
        var grid = GridContext.Current.Grid;
        for (var i = 0; i < n; i++) await grid.PutAsync(0);
        return 0;
    }

    /// <summary>
    /// Ray's do_put: <paramref name="count"/> puts of an array of <paramref name="longs"/> int64s from inside
    /// a task. Each put is freed at once, standing in for the reference counting Grid does not have yet.
    /// </summary>
    public static async Task<int> PutLargeBatch(int count, int longs)
    {
        var grid = GridContext.Current.Grid;
        var array = new long[longs];
        for (var i = 0; i < count; i++) await ObjectFreeing.FreeAsync(grid, await grid.PutAsync(array));
        return 0;
    }

    /// <summary>Ray's create_object_containing_ref: 10k puts, returned as one list of refs.</summary>
    public static async Task<ObjectRef<int>[]> CreateObjectContainingRefs()
    {
        var grid = GridContext.Current.Grid;
        var refs = new ObjectRef<int>[10_000];
        for (var i = 0; i < refs.Length; i++) refs[i] = await grid.PutAsync(1);
        return refs;
    }
}

/// <summary>
/// Frees a stored object: Grid has no reference counting yet, so the gigabyte cases delete what they
/// put (otherwise every run would add gigabytes to /dev/shm).
/// </summary>
public static class ObjectFreeing
{
    public static async Task FreeAsync(GridClient grid, ObjectRef reference)
    {
        var worker = grid.Worker;
        var payload = await worker.GetOwnedPayload(reference.Id);
        if (payload.Kind != PayloadKind.Stored) return;
        if (worker.LocalStore is { } store && worker.LocalNode == payload.Node) store.Delete(reference.Id);
        else await worker.Grains.GetGrain<IObjectStoreGrain>(payload.Node.Value).Delete(reference.Id);
    }
}
