using Grid.Tests.Fixtures;

namespace Grid.Tests.Core;

/// <summary>
/// <see cref="ActorPool{TActor, TResult}"/> as Ray's ActorPool: map in order or as finished, more values than actors
/// (each actor one job at a time), a failed job's exception from GetNext, a timed-out GetNext that leaves the result,
/// push and pop. Jobs that must stay unfinished wait on a <see cref="PoolSignals"/> actor, never on time.
/// </summary>
public abstract class ActorPoolTests(IGridFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly ActorOptions Concurrent = new() { MaxConcurrency = 16 };

    protected GridClient Grid => fixture.Grid;

    private async Task<ActorHandle<PoolWorker>[]> WorkersAsync(int count)
    {
        var workers = new ActorHandle<PoolWorker>[count];
        // Each worker could run several calls at once: only the pool keeps it to one job.
        for (var i = 0; i < count; i++) workers[i] = await Grid.CreateActorAsync(() => new PoolWorker(), Concurrent).WaitAsync(Timeout);
        return workers;
    }

    private static async Task KillAsync(IEnumerable<ActorHandle<PoolWorker>> workers, ActorHandle<PoolSignals>? signals = null)
    {
        foreach (var worker in workers) await worker.KillAsync().WaitAsync(Timeout);
        if (signals is not null) await signals.KillAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Map_yields_every_result_in_the_order_of_the_values()
    {
        var workers = await WorkersAsync(3);
        var pool = new ActorPool<PoolWorker, int>(workers);

        var results = await pool.MapAsync((a, v) => a.Call(w => w.Double(v)), Enumerable.Range(0, 10)).ToListAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal([.. Enumerable.Range(0, 10).Select(v => v * 2)], results);
        Assert.False(pool.HasNext);
        Assert.True(pool.HasFree);
        await KillAsync(workers);
    }

    [Fact]
    public async Task Map_waits_for_the_oldest_job_while_map_unordered_yields_the_one_that_finished()
    {
        var workers = await WorkersAsync(2);
        var signals = await Grid.CreateActorAsync(() => new PoolSignals(), Concurrent);
        var pool = new ActorPool<PoolWorker, int>(workers);

        // Value 0 waits for "go0"; value 1 finishes at once.
        await using (var ordered = pool.MapAsync((a, v) => a.Call(w => w.AfterSignal(v, signals)), [0, 1]).GetAsyncEnumerator())
        {
            var first = ordered.MoveNextAsync().AsTask();
            await signals.Call(s => s.Wait("done1")).GetAsync(Timeout);
            Assert.False(first.IsCompleted); // value 1's result is ready, but value 0 comes first
            await signals.Call(s => s.Set("go0")).GetAsync(Timeout);
            Assert.True(await first.WaitAsync(Timeout));
            Assert.Equal(0, ordered.Current);
            Assert.True(await ordered.MoveNextAsync().AsTask().WaitAsync(Timeout));
            Assert.Equal(10, ordered.Current);
            Assert.False(await ordered.MoveNextAsync().AsTask().WaitAsync(Timeout));
        }

        // Value 2 waits for "go2", value 3 finishes at once: the unordered map yields 3's result first.
        await using (var unordered = pool.MapUnorderedAsync((a, v) => a.Call(w => w.AfterSignal(v, signals)), [2, 3]).GetAsyncEnumerator())
        {
            Assert.True(await unordered.MoveNextAsync().AsTask().WaitAsync(Timeout));
            Assert.Equal(30, unordered.Current);
            await signals.Call(s => s.Set("go2")).GetAsync(Timeout);
            Assert.True(await unordered.MoveNextAsync().AsTask().WaitAsync(Timeout));
            Assert.Equal(20, unordered.Current);
            Assert.False(await unordered.MoveNextAsync().AsTask().WaitAsync(Timeout));
        }
        await KillAsync(workers, signals);
    }

    [Fact]
    public async Task More_values_than_actors_all_run_and_each_actor_runs_one_job_at_a_time()
    {
        var workers = await WorkersAsync(2);
        var signals = await Grid.CreateActorAsync(() => new PoolSignals(), Concurrent);
        var pool = new ActorPool<PoolWorker, int>(workers);

        for (var v = 0; v < 8; v++) pool.Submit((a, x) => a.Call(w => w.Gated(x, signals)), v);
        Assert.False(pool.HasFree); // values wait for actors

        // Both actors hold a job that waits for "go": the other six values wait in the pool, not on the actors.
        await signals.Call(s => s.WaitArrivals(2)).GetAsync(Timeout);
        foreach (var worker in workers) Assert.Equal(1, await worker.Call(w => w.Running()).GetAsync(Timeout));
        await signals.Call(s => s.Set("go")).GetAsync(Timeout);

        var results = new List<int>();
        while (pool.HasNext) results.Add(await pool.GetNextAsync(Timeout));

        Assert.Equal([.. Enumerable.Range(0, 8).Select(v => v * 2)], results);
        var jobs = 0;
        foreach (var worker in workers)
        {
            Assert.Equal(1, await worker.Call(w => w.MaxRunning()).GetAsync(Timeout));
            jobs += await worker.Call(w => w.Jobs()).GetAsync(Timeout);
        }
        Assert.Equal(8, jobs);
        Assert.Equal(8, await signals.Call(s => s.Arrivals()).GetAsync(Timeout));
        Assert.True(pool.HasFree);
        await KillAsync(workers, signals);
    }

    [Fact]
    public async Task A_failed_job_throws_from_get_next_and_the_pool_goes_on()
    {
        var workers = await WorkersAsync(2);
        var pool = new ActorPool<PoolWorker, int>(workers);

        foreach (var v in new[] { 1, -1, 3, -4 }) pool.Submit((a, x) => a.Call(w => w.DoublePositive(x)), v);

        Assert.Equal(2, await pool.GetNextAsync(Timeout));
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.GetNextAsync(Timeout));
        Assert.Contains("-1 is not positive", error.Message);
        Assert.Equal(6, await pool.GetNextAsync(Timeout));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.GetNextUnorderedAsync(Timeout));
        Assert.False(pool.HasNext);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pool.GetNextAsync(Timeout));

        // A map after failures runs as usual; its own failure is thrown from the enumeration.
        Assert.Equal([10, 12], await pool.MapAsync((a, x) => a.Call(w => w.DoublePositive(x)), [5, 6]).ToListAsync().AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await pool.MapUnorderedAsync((a, x) => a.Call(w => w.DoublePositive(x)), [-7]).ToListAsync().AsTask().WaitAsync(Timeout));
        Assert.True(pool.HasFree);
        await KillAsync(workers);
    }

    [Fact]
    public async Task A_get_next_that_times_out_leaves_the_result_to_be_taken()
    {
        var workers = await WorkersAsync(1);
        var signals = await Grid.CreateActorAsync(() => new PoolSignals(), Concurrent);
        var pool = new ActorPool<PoolWorker, int>(workers);

        pool.Submit((a, v) => a.Call(w => w.Gated(v, signals)), 21);
        await Assert.ThrowsAsync<GetTimeoutException>(() => pool.GetNextAsync(TimeSpan.Zero));
        await Assert.ThrowsAsync<GetTimeoutException>(() => pool.GetNextUnorderedAsync(TimeSpan.Zero));
        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.GetNextAsync(Timeout, cancelled.Token));
        }
        Assert.True(pool.HasNext);

        await signals.Call(s => s.Set("go")).GetAsync(Timeout);
        Assert.Equal(42, await pool.GetNextAsync(Timeout));
        Assert.False(pool.HasNext);
        await KillAsync(workers, signals);
    }

    [Fact]
    public async Task Pop_idle_takes_actors_out_and_push_brings_one_back_to_run_the_waiting_value()
    {
        var workers = await WorkersAsync(2);
        var pool = new ActorPool<PoolWorker, int>(workers);

        var popped = new[] { pool.PopIdle(), pool.PopIdle() };
        Assert.All(popped, Assert.NotNull);
        Assert.Equal(workers.Select(w => w.ActorId.Value).Order(), popped.Select(w => w!.ActorId.Value).Order());
        Assert.Null(pool.PopIdle());
        Assert.False(pool.HasFree);

        pool.Submit((a, v) => a.Call(w => w.Double(v)), 4); // no actor: the value waits
        Assert.True(pool.HasNext);
        await Assert.ThrowsAsync<GetTimeoutException>(() => pool.GetNextAsync(TimeSpan.Zero));

        pool.Push(popped[0]!);
        Assert.Equal(8, await pool.GetNextAsync(Timeout));
        Assert.True(pool.HasFree);
        Assert.Throws<InvalidOperationException>(() => pool.Push(popped[0]!));

        pool.Push(popped[1]!);
        Assert.Equal([2, 4, 6], await pool.MapAsync((a, v) => a.Call(w => w.Double(v)), [1, 2, 3]).ToListAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(2, (await Task.WhenAll(workers.Select(w => w.Call(x => x.Jobs()).GetAsync(Timeout)))).Count(jobs => jobs > 0));
        await KillAsync(workers);
    }
}

/// <summary>An actor for pools: counts the calls inside it now, the most at once, and all it ran.</summary>
public sealed class PoolWorker
{
    private int _running, _maxRunning, _jobs;

    public int Double(int value) => Count(() => value * 2);

    public int DoublePositive(int value) => Count(() => value > 0 ? value * 2 : throw new ArgumentOutOfRangeException(nameof(value), $"{value} is not positive"));

    /// <summary>Tells <paramref name="signals"/> it arrived, then waits for "go".</summary>
    public async Task<int> Gated(int value, ActorHandle<PoolSignals> signals)
    {
        Enter();
        try
        {
            await signals.Call(s => s.Arrive());
            await signals.Call(s => s.Wait("go"));
            return value * 2;
        }
        finally { Interlocked.Decrement(ref _running); }
    }

    /// <summary>Value 0 or 2 waits for "go0" / "go2"; then "done{value}" is set.</summary>
    public async Task<int> AfterSignal(int value, ActorHandle<PoolSignals> signals)
    {
        Enter();
        try
        {
            if (value % 2 == 0) await signals.Call(s => s.Wait($"go{value}"));
            await signals.Call(s => s.Set($"done{value}"));
            return value * 10;
        }
        finally { Interlocked.Decrement(ref _running); }
    }

    public int Running() => Volatile.Read(ref _running);
    public int MaxRunning() => Volatile.Read(ref _maxRunning);
    public int Jobs() => Volatile.Read(ref _jobs);

    private int Count(Func<int> body)
    {
        Enter();
        try { return body(); }
        finally { Interlocked.Decrement(ref _running); }
    }

    private void Enter()
    {
        Interlocked.Increment(ref _jobs);
        var now = Interlocked.Increment(ref _running);
        int max;
        while (now > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, max) != max) { }
    }
}

/// <summary>Named one-shot signals and an arrival count, for tests that must hold jobs without timing.</summary>
public sealed class PoolSignals
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskCompletionSource> _signals = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _arrivalWaiters = [];
    private int _arrivals;

    public Task Wait(string name) => Signal(name).Task;

    public void Set(string name) => Signal(name).TrySetResult();

    public void Arrive()
    {
        List<TaskCompletionSource> reached = [];
        lock (_lock)
        {
            _arrivals++;
            _arrivalWaiters.RemoveAll(w =>
            {
                if (w.Count > _arrivals) return false;
                reached.Add(w.Reached);
                return true;
            });
        }
        foreach (var r in reached) r.TrySetResult();
    }

    public int Arrivals()
    {
        lock (_lock) return _arrivals;
    }

    public Task WaitArrivals(int count)
    {
        lock (_lock)
        {
            if (_arrivals >= count) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _arrivalWaiters.Add((count, reached));
            return reached.Task;
        }
    }

    private TaskCompletionSource Signal(string name)
    {
        lock (_lock)
        {
            if (!_signals.TryGetValue(name, out var signal))
                _signals[name] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return signal;
        }
    }
}

[Collection("embedded")]
public sealed class EmbeddedActorPoolTests(EmbeddedGridFixture fixture) : ActorPoolTests(fixture);

[Collection("cluster")]
public sealed class ClusterActorPoolTests(ClusterGridFixture fixture) : ActorPoolTests(fixture);
