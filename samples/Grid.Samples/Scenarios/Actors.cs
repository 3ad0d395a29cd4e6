using System.Diagnostics;

namespace Grid.Samples.Scenarios;

/// <summary>A plain class that becomes an actor: its state lives on the cluster.</summary>
public sealed class Counter(int start = 0, int incrementDelayMs = 0, string probe = "S10")
{
    private int _value = start;

    public int Increment()
    {
        using (ConcurrencyProbe.Named(probe).Enter())
            if (incrementDelayMs > 0) Thread.Sleep(incrementDelayMs);
        return ++_value;
    }

    public int Add(int amount) => _value += amount;
    public int Read() => _value;

    /// <summary>The most increments that ran at once, counted where the actor runs.</summary>
    public int MostAtOnce() => ConcurrencyProbe.Named(probe).Max;
}

/// <summary>S9, S10, S12: actors.</summary>
public static class Actors
{
    /// <summary>S9: four counters, one round of increments, then ten more.</summary>
    public static async Task<(int[] AfterOne, int[] AfterEleven)> CountersAsync(GridClient grid)
    {
        var counters = new List<ActorHandle<Counter>>();
        for (var i = 0; i < 4; i++) counters.Add(await grid.CreateActorAsync(() => new Counter(0, 0, "S9")));
        await grid.GetAsync(counters.Select(c => c.Call(x => x.Increment())).ToList());
        var afterOne = await grid.GetAsync(counters.Select(c => c.Call(x => x.Read())).ToList());
        for (var round = 0; round < 10; round++)
            await grid.GetAsync(counters.Select(c => c.Call(x => x.Increment())).ToList());
        var afterEleven = await grid.GetAsync(counters.Select(c => c.Call(x => x.Read())).ToList());
        foreach (var c in counters) await c.KillAsync();
        return (afterOne, afterEleven);
    }

    public sealed record OrderingResult(int[] Returns, int Final, int MaxConcurrent, TimeSpan Elapsed);

    /// <summary>S10: ten slow increments submitted at once run one at a time, in order.</summary>
    public static async Task<OrderingResult> OrderingAsync(GridClient grid, TimeSpan incrementTime, int calls = 10)
    {
        // A probe of its own, so runs of this scenario in parallel (tests) do not count each other. It counts in the
        // actor's process, which is not this one on a cluster: the actor reports it.
        var probeName = "S10-" + Guid.NewGuid().ToString("N");
        var delay = (int)incrementTime.TotalMilliseconds;
        var counter = await grid.CreateActorAsync(() => new Counter(0, delay, probeName));
        var clock = Stopwatch.StartNew();
        var refs = Enumerable.Range(0, calls).Select(_ => counter.Call(c => c.Increment())).ToList();
        var returns = await grid.GetAsync(refs);
        var elapsed = clock.Elapsed;
        var final = await counter.Call(c => c.Read());
        var mostAtOnce = await counter.Call(c => c.MostAtOnce());
        await counter.KillAsync();
        return new OrderingResult(returns, final, mostAtOnce, elapsed);
    }

    /// <summary>S12: an actor created with a name is found by that name from another client.</summary>
    public static async Task<int> NamedActorAsync(GridClient creator, GridClient other, string name)
    {
        var created = await creator.CreateActorAsync(() => new Counter(100, 0, "S12"), new ActorOptions { Name = name });
        await created.Call(c => c.Increment());
        var found = await other.GetActorAsync<Counter>(name);
        var value = await found.Call(c => c.Increment());
        await created.KillAsync();
        return value;
    }
}
