using Grid.Bench.Baselines;
using Grid.Bench.Harness;
using Grid.Bench.Workloads;

namespace Grid.Bench.Cases;

/// <summary>Ray's actor cases: 1:1, 1:n and n:n callers, plain, concurrent and async actors.</summary>
public static class ActorCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        var grid = ctx.Grid;
        var grains = ctx.Grains;
        var batch = ctx.Options.Batch(1000);
        var nCpu = BenchContext.HalfTheCores;

        var one = new ActorGroup<BenchActor>();
        yield return new BenchCase
        {
            Name = "1_1_actor_calls_sync",
            Setup = () => one.CreateAsync(grid, 1, () => new BenchActor()),
            Grid = async () => await one.Handles[0].Call(a => a.SmallValue()),
            Baseline = () => grains.GetGrain<IBaselineActor>(1).SmallValue(),
            Teardown = one.KillAsync,
        };

        yield return new BenchCase
        {
            Name = "1_1_actor_calls_async",
            Multiplier = batch,
            Setup = () => one.CreateAsync(grid, 1, () => new BenchActor()),
            Grid = () => CallMany(grid, one.Handles[0], batch),
            Baseline = () => TaskCases.Fan(batch, () => grains.GetGrain<IBaselineActor>(2).SmallValue()),
            Teardown = one.KillAsync,
        };

        yield return new BenchCase
        {
            Name = "1_1_actor_calls_concurrent",
            Multiplier = batch,
            Setup = () => one.CreateAsync(grid, 1, () => new BenchActor(), new ActorOptions { MaxConcurrency = 16 }),
            Grid = () => CallMany(grid, one.Handles[0], batch),
            Baseline = () => TaskCases.Fan(batch, () => grains.GetGrain<IBaselineConcurrentActor>(3).SmallValue()),
            Teardown = one.KillAsync,
        };

        // Ray: a Client actor calls each of n_cpu actors 5,000 times.
        var n = ctx.Options.Batch(5000);
        var servers = new ActorGroup<BenchActor>();
        var clients = new ActorGroup<BenchClient>();
        var serverKeys = Enumerable.Range(10, nCpu).Select(i => (long)i).ToArray();
        yield return new BenchCase
        {
            Name = "1_n_actor_calls_async",
            Multiplier = n * nCpu,
            Setup = async () =>
            {
                await servers.CreateAsync(grid, nCpu, () => new BenchActor());
                var names = servers.Names.ToArray();
                await clients.CreateAsync(grid, 1, () => new BenchClient(names));
            },
            Grid = async () => await clients.Handles[0].Call(c => c.SmallValueBatch(n)),
            Baseline = () => grains.GetGrain<IBaselineClient>(0).SmallValueBatch(serverKeys, n),
            Teardown = async () => { await clients.KillAsync(); await servers.KillAsync(); },
        };

        // Ray: 4 tasks each call n_cpu actors 5,000 times in all, round robin.
        var m = 4;
        var work = grid.Function<string[], int, int>(RemoteWork.ActorWork);
        yield return new BenchCase
        {
            Name = "n_n_actor_calls_async",
            Multiplier = m * n,
            Setup = () => servers.CreateAsync(grid, nCpu, () => new BenchActor()),
            Grid = () => grid.GetAsync(Enumerable.Range(0, m).Select(_ => work.Remote(servers.Names.ToArray(), n))),
            Baseline = () => TaskCases.Fan(m, () => grains.GetGrain<IBaselineWorker>(0).ActorWork(serverKeys, n)),
            Teardown = servers.KillAsync,
        };

        // Ray: n_cpu Client actors, each calling its own actor 1,000 times with a put ref as the argument.
        var withArg = ctx.Options.Batch(1000);
        yield return new BenchCase
        {
            Name = "n_n_actor_calls_with_arg_async",
            Multiplier = withArg * nCpu,
            Setup = async () =>
            {
                await servers.CreateAsync(grid, nCpu, () => new BenchActor());
                foreach (var name in servers.Names)
                {
                    var mine = new[] { name };
                    await clients.CreateAsync(grid, 1, () => new BenchClient(mine));
                }
            },
            Grid = () => grid.GetAsync(clients.Handles.Select(c => c.Call(x => x.SmallValueBatchArg(withArg)))),
            Baseline = () => Task.WhenAll(Enumerable.Range(0, nCpu).Select(i =>
                grains.GetGrain<IBaselineClient>(20 + i).SmallValueBatchArg([serverKeys[i]], withArg))),
            Teardown = async () => { await clients.KillAsync(); await servers.KillAsync(); },
        };

        // Ray's async actors run up to 1,000 calls at once.
        var asyncActor = new ActorGroup<AsyncBenchActor>();
        var asyncOptions = new ActorOptions { MaxConcurrency = 1000 };
        yield return new BenchCase
        {
            Name = "1_1_async_actor_calls_sync",
            Setup = () => asyncActor.CreateAsync(grid, 1, () => new AsyncBenchActor(), asyncOptions),
            Grid = async () => await asyncActor.Handles[0].Call(a => a.SmallValue()),
            Baseline = () => grains.GetGrain<IBaselineAsyncActor>(1).SmallValue(),
            Teardown = asyncActor.KillAsync,
        };

        yield return new BenchCase
        {
            Name = "1_1_async_actor_calls_async",
            Multiplier = batch,
            Setup = () => asyncActor.CreateAsync(grid, 1, () => new AsyncBenchActor(), asyncOptions),
            Grid = async () =>
            {
                var a = asyncActor.Handles[0];
                var refs = new ObjectRef<byte[]>[batch];
                for (var i = 0; i < batch; i++) refs[i] = a.Call(x => x.SmallValue());
                await grid.GetAsync(refs);
            },
            Baseline = () => TaskCases.Fan(batch, () => grains.GetGrain<IBaselineAsyncActor>(2).SmallValue()),
            Teardown = asyncActor.KillAsync,
        };
    }

    private static async Task CallMany(GridClient grid, ActorHandle<BenchActor> actor, int count)
    {
        var refs = new ObjectRef<byte[]>[count];
        for (var i = 0; i < count; i++) refs[i] = actor.Call(a => a.SmallValue());
        await grid.GetAsync(refs);
    }
}
