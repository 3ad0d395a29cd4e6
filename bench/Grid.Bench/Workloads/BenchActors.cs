namespace Grid.Bench.Workloads;

/// <summary>Ray's Actor (num_cpus=0): answers b"ok". Synchronous methods only, so Grid runs it as Ray does a sync actor.</summary>
public sealed class BenchActor
{
    public byte[] SmallValue() => "ok"u8.ToArray();
    public byte[] SmallValueArg(int x) => "ok"u8.ToArray();
}

/// <summary>Ray's multi-client actor: submits a batch of tasks from inside the cluster and gets them.</summary>
public sealed class SubmitterActor
{
    public Task<int> SmallValueBatch(int n) => RemoteWork.SmallValueBatch(n);
}

/// <summary>Ray's AsyncActor: asynchronous methods (Ray runs up to 1,000 of them at once).</summary>
public sealed class AsyncBenchActor
{
    public Task<byte[]> SmallValue() => Task.FromResult("ok"u8.ToArray());
}

/// <summary>Ray's Client actor: calls each of its server actors n times and gets the results.</summary>
public sealed class BenchClient(string[] servers)
{
    private ActorHandle<BenchActor>[]? _servers;

    public async Task<int> SmallValueBatch(int n)
    {
        var grid = GridContext.Current.Grid;
        var refs = new List<ObjectRef<byte[]>>(n * servers.Length);
        foreach (var s in await ServersAsync(grid))
            for (var i = 0; i < n; i++) refs.Add(s.Call(a => a.SmallValue()));
        await grid.GetAsync(refs);
        return 0;
    }

    public async Task<int> SmallValueBatchArg(int n)
    {
        var grid = GridContext.Current.Grid;
        var x = await grid.PutAsync(0);
        var refs = new List<ObjectRef<byte[]>>(n * servers.Length);
        foreach (var s in await ServersAsync(grid))
            for (var i = 0; i < n; i++) refs.Add(s.Call(a => a.SmallValueArg(x.AsArg())));
        await grid.GetAsync(refs);
        return 0;
    }

    private async Task<ActorHandle<BenchActor>[]> ServersAsync(GridClient grid)
    {
        if (_servers is not null) return _servers;
        var found = new ActorHandle<BenchActor>[servers.Length];
        for (var i = 0; i < found.Length; i++) found[i] = await grid.GetActorAsync<BenchActor>(servers[i]);
        return _servers = found;
    }
}
