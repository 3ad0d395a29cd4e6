using Grid.Testing;
using Grid.Tests.Fixtures;
using Xunit.Abstractions;

namespace Grid.Tests.Objects;

/// <summary>On the node that holds it, an unmanaged array reaches tasks as a view of the store's memory: no copies.</summary>
[Collection("embedded")]
public sealed class ZeroCopyMemoryTests(EmbeddedGridFixture fixture, ITestOutputHelper output)
{
    private const int Elements = 12_500_000; // 100 MB of doubles
    private const long ArrayBytes = Elements * 8L;

    [Fact]
    public async Task Twenty_tasks_reading_one_100MB_array_raise_the_process_memory_by_far_less_than_twenty_copies()
    {
        var grid = fixture.Grid;
        var run = Guid.NewGuid().ToString("N");
        var values = new double[Elements];
        for (var i = 0; i < values.Length; i++) values[i] = i % 1000;
        var expected = values.Sum();
        var data = await grid.PutAsync<ReadOnlyMemory<double>>(values);
        values = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = ResidentBytes();

        var sum = grid.Function<ReadOnlyMemory<double>, string, double>(ObjectTestFunctions.SumAndHold, new TaskOptions { NumCpus = 0 });
        var refs = Enumerable.Range(0, 20).Select(_ => sum.Remote(data, run)).ToArray();
        // All twenty hold their view at once when this is measured.
        await Eventually.WaitAsync(() => Volatile.Read(ref ObjectTestFunctions.Counter(run).Value) == 20, TimeSpan.FromMinutes(2), "20 tasks holding views");
        var during = ResidentBytes();
        ObjectTestFunctions.Gate(run).SetResult();
        var sums = await grid.GetAsync(refs);

        Assert.All(sums, s => Assert.Equal(expected, s));
        var growth = during - before;
        output.WriteLine($"RSS before {before / 1e6:F0} MB, with 20 readers {during / 1e6:F0} MB: growth {growth / 1e6:F0} MB (20 copies would be {20 * ArrayBytes / 1e6:F0} MB)");
        Assert.True(growth < 3 * ArrayBytes, $"RSS grew by {growth / 1e6:F0} MB while 20 tasks read one 100 MB array; a view per task should add almost nothing.");
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}
