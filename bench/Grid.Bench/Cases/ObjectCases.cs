using System.Runtime.InteropServices;
using Orleans.Concurrency;
using Grid.Bench.Baselines;
using Grid.Bench.Harness;
using Grid.Bench.Workloads;

namespace Grid.Bench.Cases;

/// <summary>Ray's object-store cases: small gets and puts, gigabyte puts, an object holding 10k refs.</summary>
public static class ObjectCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        var grid = ctx.Grid;
        var grains = ctx.Grains;
        var store = grains.GetGrain<IBaselineStore>(0);
        var worker = grains.GetGrain<IBaselineWorker>(0);
        var smallBytes = new Immutable<byte[]>(BitConverter.GetBytes(0));

        ObjectRef<int>? value = null;
        yield return new BenchCase
        {
            Name = "single_client_get_calls",
            Setup = async () =>
            {
                value = await grid.PutAsync(0);
                await store.Put(0, smallBytes);
            },
            Grid = async () => await grid.GetAsync(value!),
            Baseline = () => store.Get(0),
        };

        var slot = 0;
        yield return new BenchCase
        {
            Name = "single_client_put_calls",
            Grid = () => grid.PutAsync(0),
            Baseline = () => store.Put(++slot, smallBytes),
        };

        // Ray: 10 tasks each put 100 small values.
        var putSmall = grid.Function<int, int>(RemoteWork.PutSmallBatch);
        yield return new BenchCase
        {
            Name = "multi_client_put_calls",
            Multiplier = 1000,
            Grid = () => grid.GetAsync(Enumerable.Range(0, 10).Select(_ => putSmall.Remote(100))),
            Baseline = () => TaskCases.Fan(10, () => worker.PutSmallBatch(100)),
        };

        // Ray: put one array of 100M int64 (0.8 GB). The baseline copies the same bytes with memcpy.
        var longs = ctx.Options.Quick ? 10_000_000 : 100_000_000;
        long[]? array = null;
        byte[]? copy = null;
        yield return new BenchCase
        {
            Name = "single_client_put_gigabytes",
            Unit = "GB/s",
            Multiplier = longs * 8 / 1e9,
            Setup = () =>
            {
                array = new long[longs];
                copy = new byte[longs * 8L];
                return Task.CompletedTask;
            },
            Grid = async () => await ObjectFreeing.FreeAsync(grid, await grid.PutAsync(array!)),
            Baseline = () =>
            {
                MemoryMarshal.AsBytes(array.AsSpan()).CopyTo(copy);
                return Task.CompletedTask;
            },
            Teardown = () =>
            {
                array = null;
                copy = null;
                return Task.CompletedTask;
            },
        };

        // Ray: 10 tasks each put 10 arrays of 10M int64 (80 MB). The baseline: 10 threads each memcpy the same bytes,
        // threads of their own: on the thread pool, seconds of copying held the threads the silos in this process
        // run Orleans on, and their health monitors saw the pool stalled for 1–1.5 s.
        var perTask = ctx.Options.Quick ? 1_000_000 : 10_000_000;
        var putLarge = grid.Function<int, int, int>(RemoteWork.PutLargeBatch);
        yield return new BenchCase
        {
            Name = "multi_client_put_gigabytes",
            Unit = "GB/s",
            Multiplier = 10.0 * 10 * perTask * 8 / 1e9, // in double: 8e9 bytes overflows an int
            Grid = () => grid.GetAsync(Enumerable.Range(0, 10).Select(_ => putLarge.Remote(10, perTask))),
            Baseline = () => Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Factory.StartNew(() =>
            {
                var source = new long[perTask];
                var target = new byte[perTask * 8L];
                for (var i = 0; i < 10; i++) MemoryMarshal.AsBytes(source.AsSpan()).CopyTo(target);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))),
        };

        ObjectRef<ObjectRef<int>[]>? containing = null;
        yield return new BenchCase
        {
            Name = "single_client_get_object_containing_10k_refs",
            Setup = async () =>
            {
                containing = grid.Function<ObjectRef<int>[]>(RemoteWork.CreateObjectContainingRefs).Remote();
                await containing;
            },
            Grid = async () => await grid.GetAsync(containing!),
            Baseline = () => worker.TenThousandIds(),
        };
    }
}
