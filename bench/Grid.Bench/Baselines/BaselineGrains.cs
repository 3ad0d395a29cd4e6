using Orleans.Concurrency;

namespace Grid.Bench.Baselines;

internal static class Payloads
{
    /// <summary>Ray's b"ok".</summary>
    public static byte[] Ok() => "ok"u8.ToArray();
}

[StatelessWorker]
internal sealed class BaselineWorker : Grain, IBaselineWorker
{
    public Task<byte[]> SmallValue() => Task.FromResult(Payloads.Ok());

    public Task SmallValueBatch(int n)
    {
        var calls = new Task[n];
        for (var i = 0; i < n; i++) calls[i] = GrainFactory.GetGrain<IBaselineWorker>(0).SmallValue();
        return Task.WhenAll(calls);
    }

    public Task ActorWork(long[] actors, int n)
    {
        var calls = new Task[n];
        for (var i = 0; i < n; i++) calls[i] = GrainFactory.GetGrain<IBaselineActor>(actors[i % actors.Length]).SmallValue();
        return Task.WhenAll(calls);
    }

    public async Task PutSmallBatch(int n)
    {
        var store = GrainFactory.GetGrain<IBaselineStore>(0);
        for (var i = 0; i < n; i++) await store.Put(i, new Immutable<byte[]>(BitConverter.GetBytes(0)));
    }

    public Task<BaselineId[]> TenThousandIds()
    {
        var ids = new BaselineId[10_000];
        for (var i = 0; i < ids.Length; i++) ids[i] = new BaselineId(0x5eed, (ulong)i);
        return Task.FromResult(ids);
    }
}

internal sealed class BaselineActor : Grain, IBaselineActor
{
    public Task<byte[]> SmallValue() => Task.FromResult(Payloads.Ok());
    public Task<byte[]> SmallValueArg(int x) => Task.FromResult(Payloads.Ok());

    public Task SmallValueBatch(int n)
    {
        var calls = new Task[n];
        for (var i = 0; i < n; i++) calls[i] = GrainFactory.GetGrain<IBaselineWorker>(0).SmallValue();
        return Task.WhenAll(calls);
    }
}

[Reentrant]
internal sealed class BaselineConcurrentActor : Grain, IBaselineConcurrentActor
{
    public Task<byte[]> SmallValue() => Task.FromResult(Payloads.Ok());
}

/// <summary>Reentrant, as Ray's async actors run many calls at once.</summary>
[Reentrant]
internal sealed class BaselineAsyncActor : Grain, IBaselineAsyncActor
{
    public Task<byte[]> SmallValue() => Task.FromResult(Payloads.Ok());
}

/// <summary>Reentrant like a Ray actor that awaits its calls: the batch's calls go out together.</summary>
[Reentrant]
internal sealed class BaselineClient : Grain, IBaselineClient
{
    public Task SmallValueBatch(long[] servers, int n)
    {
        var calls = new List<Task>(servers.Length * n);
        foreach (var s in servers)
            for (var i = 0; i < n; i++) calls.Add(GrainFactory.GetGrain<IBaselineActor>(s).SmallValue());
        return Task.WhenAll(calls);
    }

    public Task SmallValueBatchArg(long[] servers, int n)
    {
        var calls = new List<Task>(servers.Length * n);
        foreach (var s in servers)
            for (var i = 0; i < n; i++) calls.Add(GrainFactory.GetGrain<IBaselineActor>(s).SmallValueArg(0));
        return Task.WhenAll(calls);
    }
}

/// <summary>Keeps the last values put in a ring of slots: a put is a call that hands bytes to a grain that holds them.</summary>
[Reentrant]
internal sealed class BaselineStore : Grain, IBaselineStore
{
    private readonly Immutable<byte[]>[] _slots = new Immutable<byte[]>[1024];

    public Task Put(int slot, Immutable<byte[]> value)
    {
        _slots[slot & 1023] = value;
        return Task.CompletedTask;
    }

    public Task<Immutable<byte[]>> Get(int slot) => Task.FromResult(_slots[slot & 1023]);
}

internal sealed class BaselineReservation : Grain, IBaselineReservation
{
    private double _amount;

    public Task Reserve(double amount)
    {
        _amount = amount;
        return Task.CompletedTask;
    }

    public Task<bool> IsReserved() => Task.FromResult(_amount > 0);

    public Task Release()
    {
        _amount = 0;
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
