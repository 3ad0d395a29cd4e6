using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Grid.Samples.Scenarios;

/// <summary>S1–S4: remote functions, declared CPUs, tiny tasks, put/get.</summary>
public static class TasksAndObjects
{
    public static int Square(int x) => x * x;

    /// <summary>S1: f(x) = x*x over 0..3.</summary>
    public static async Task<int[]> SquaresAsync(GridClient grid)
    {
        var square = grid.Function<int, int>(Square);
        var refs = Enumerable.Range(0, 4).Select(i => square.Remote(i)).ToList();
        return await grid.GetAsync(refs);
    }

    /// <summary>One sleeping task: its index and when it ran, by the wall clock of the node that ran it.</summary>
    public sealed record SleptTask(int Index, long StartTicks, long EndTicks);

    public static SleptTask SleepThenReturn(int i, int milliseconds)
    {
        var start = DateTime.UtcNow.Ticks;
        Thread.Sleep(milliseconds);
        return new SleptTask(i, start, DateTime.UtcNow.Ticks);
    }

    public sealed record ParallelSleepResult(int[] Results, int MaxConcurrent, TimeSpan Elapsed);

    /// <summary>S2: <paramref name="count"/> sleeping tasks on a node that declares N CPUs run N at a time.</summary>
    public static async Task<ParallelSleepResult> ParallelSleepAsync(GridClient grid, int count, TimeSpan sleep)
    {
        var f = grid.Function<int, int, SleptTask>(SleepThenReturn);
        var clock = Stopwatch.StartNew();
        var refs = Enumerable.Range(0, count).Select(i => f.Remote(i, (int)sleep.TotalMilliseconds)).ToList();
        var slept = await grid.GetAsync(refs);
        // Each task reports when it ran, so the count holds wherever the tasks ran (a counter in this process sees
        // only the tasks run here: none on a cluster).
        return new ParallelSleepResult([.. slept.Select(s => s.Index)], MostAtOnce(slept), clock.Elapsed);
    }

    /// <summary>
    /// The most intervals open at one instant. An interval that ends when another starts does not overlap it: a task
    /// that takes the CPU another freed starts at or after that one's end.
    /// </summary>
    public static int MostAtOnce(IEnumerable<SleptTask> tasks)
    {
        var edges = tasks.SelectMany(t => new[] { (Ticks: t.StartTicks, Step: 1), (Ticks: t.EndTicks, Step: -1) })
            .OrderBy(e => e.Ticks).ThenBy(e => e.Step);
        int now = 0, most = 0;
        foreach (var (_, step) in edges) most = Math.Max(most, now += step);
        return most;
    }

    /// <summary>About 0.1 ms of work.</summary>
    public static long Tiny(int i)
    {
        long acc = i;
        for (var k = 0; k < 20_000; k++) acc = (acc * 31 + k) % 1_000_003;
        return acc + i - acc;
    }

    /// <summary>S3: many tiny tasks submitted at once; every result comes back.</summary>
    public static async Task<(long Sum, TimeSpan Elapsed)> TinyTasksAsync(GridClient grid, int count)
    {
        var f = grid.Function<int, long>(Tiny);
        var clock = Stopwatch.StartNew();
        var refs = new ObjectRef<long>[count];
        for (var i = 0; i < count; i++) refs[i] = f.Remote(i);
        var results = await grid.GetAsync(refs);
        return (results.Sum(), clock.Elapsed);
    }

    /// <summary>Reads a shared array: the task gets a view of the node's object store, not a copy.</summary>
    public static (long Length, byte Last, bool IsCopy) ReadShared(ReadOnlyMemory<byte> data) =>
        (data.Length, data.Span[^1], MemoryMarshal.TryGetArray(data, out _));

    public sealed record PutGetResult(int Small, int Readers, long[] Lengths, int Copies);

    /// <summary>S4: Put(10) reads back 10; a large array put once is read by many tasks in place.</summary>
    public static async Task<PutGetResult> PutGetAsync(GridClient grid, int megabytes, int readers)
    {
        var ten = await grid.PutAsync(10);
        var big = new byte[megabytes * 1024 * 1024];
        big[^1] = 42;
        var shared = await grid.PutAsync<ReadOnlyMemory<byte>>(big);
        var read = grid.Function<ReadOnlyMemory<byte>, (long, byte, bool)>(ReadShared);
        var results = await grid.GetAsync(Enumerable.Range(0, readers).Select(_ => read.Remote(shared)).ToList());
        if (results.Any(r => r.Item2 != 42)) throw new InvalidOperationException("A reader saw the wrong bytes.");
        return new PutGetResult(await ten, readers, results.Select(r => r.Item1).ToArray(), results.Count(r => r.Item3));
    }
}
