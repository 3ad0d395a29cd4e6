using Grid.Bench.Baselines;
using Grid.Bench.Harness;
using Grid.Bench.Workloads;

namespace Grid.Bench.Cases;

/// <summary>Ray's task cases: one client submitting tiny tasks, synchronously and 1,000 at a time.</summary>
public static class TaskCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        var grid = ctx.Grid;
        var f = grid.Function<byte[]>(RemoteWork.SmallValue);
        var worker = ctx.Grains.GetGrain<IBaselineWorker>(0);
        var inFlight = ctx.Options.Batch(1000);

        yield return new BenchCase
        {
            Name = "single_client_tasks_sync",
            Grid = async () => await f.Remote(),
            Baseline = () => worker.SmallValue(),
        };

        yield return new BenchCase
        {
            Name = "single_client_tasks_async",
            Multiplier = inFlight,
            Grid = () => SubmitAndGet(grid, f, inFlight),
            Baseline = () => Fan(inFlight, () => worker.SmallValue()),
        };

        // Ray: 4 actors each submit 10,000 tasks from inside the cluster and get them.
        var m = 4;
        var n = ctx.Options.Batch(10_000);
        var actors = new ActorGroup<SubmitterActor>();
        yield return new BenchCase
        {
            Name = "multi_client_tasks_async",
            Multiplier = n * m,
            Setup = () => actors.CreateAsync(grid, m, () => new SubmitterActor()),
            Grid = () => grid.GetAsync(actors.Handles.Select(a => a.Call(x => x.SmallValueBatch(n)))),
            Baseline = () => Task.WhenAll(Enumerable.Range(0, m).Select(i => ctx.Grains.GetGrain<IBaselineActor>(100 + i).SmallValueBatch(n))),
            Teardown = actors.KillAsync,
        };

        yield return new BenchCase
        {
            Name = "single_client_tasks_and_get_batch",
            Grid = () => SubmitAndGet(grid, f, inFlight),
            Baseline = () => Fan(inFlight, () => worker.SmallValue()),
        };

        // Ray: submit 1,000 tasks, then wait for them one ready ref at a time.
        yield return new BenchCase
        {
            Name = "single_client_wait_1k_refs",
            Grid = async () =>
            {
                IReadOnlyList<ObjectRef<byte[]>> notReady = Enumerable.Range(0, inFlight).Select(_ => f.Remote()).ToArray();
                while (notReady.Count > 0) notReady = (await grid.WaitAsync(notReady, 1)).NotReady;
            },
            Baseline = async () =>
            {
                var pending = Enumerable.Range(0, inFlight).Select(_ => (Task)worker.SmallValue()).ToList();
                while (pending.Count > 0) pending.Remove(await Task.WhenAny(pending));
            },
        };

        yield return new BenchCase
        {
            Name = "single_client_tasks_sync_latency",
            Kind = CaseKind.Latency,
            Grid = async () => await f.Remote(),
            Baseline = () => worker.SmallValue(),
        };
    }

    private static async Task SubmitAndGet(GridClient grid, RemoteFunction<byte[]> f, int count)
    {
        var refs = new ObjectRef<byte[]>[count];
        for (var i = 0; i < count; i++) refs[i] = f.Remote();
        await grid.GetAsync(refs);
    }

    /// <summary>Starts <paramref name="count"/> calls at once and awaits them all.</summary>
    public static Task Fan(int count, Func<Task> call)
    {
        var calls = new Task[count];
        for (var i = 0; i < count; i++) calls[i] = call();
        return Task.WhenAll(calls);
    }
}

/// <summary>Actors a case creates and kills, named so that tasks and other actors can find them.</summary>
public sealed class ActorGroup<T> where T : class
{
    public List<ActorHandle<T>> Handles { get; } = [];
    public List<string> Names { get; } = [];

    public async Task CreateAsync(GridClient grid, int count, System.Linq.Expressions.Expression<Func<T>> constructor, ActorOptions? options = null)
    {
        for (var i = 0; i < count; i++)
        {
            var name = $"bench-{typeof(T).Name}-{Guid.NewGuid():N}";
            Handles.Add(await grid.CreateActorAsync(constructor, (options ?? ActorOptions.Default) with { Name = name }));
            Names.Add(name);
        }
        await Task.WhenAll(Handles.Select(a => a.Ready));
    }

    public async Task KillAsync()
    {
        foreach (var a in Handles) await a.KillAsync();
        Handles.Clear();
        Names.Clear();
    }
}
