using System.Diagnostics;

namespace Grid.Bench.Harness;

/// <summary>
/// Ray's microbenchmark method: run the operation for a warm-up period, then several timed runs of
/// a fixed length, each run counting whole steps (a tenth of the warm-up count, so the clock is read
/// rarely); the figure is the mean rate over the runs, times the operations per call.
/// </summary>
public static class Timeit
{
    public static async Task<Measurement> RunAsync(Func<Task> operation, double multiplier, BenchOptions options)
    {
        var warmUpCount = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.WarmUp)
        {
            await operation().ConfigureAwait(false);
            warmUpCount++;
        }
        var step = warmUpCount / 10 + 1;
        var rates = new double[options.Runs];
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var workItemsBefore = ThreadPool.CompletedWorkItemCount;
        var operations = 0.0;
        for (var run = 0; run < rates.Length; run++)
        {
            var count = 0;
            clock.Restart();
            while (clock.Elapsed < options.RunLength)
            {
                for (var i = 0; i < step; i++) await operation().ConfigureAwait(false);
                count += step;
            }
            rates[run] = multiplier * count / clock.Elapsed.TotalSeconds;
            operations += multiplier * count;
        }
        // Costs per operation of the whole process: unlike the rate, they barely move when other
        // programs share the machine, so they are what before/after comparisons of the core use.
        var bytesPerOp = (GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / operations;
        var cpuPerOp = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / operations;
        // Thread-pool work items per operation: each is a hop between threads (a queued continuation, a
        // grain turn, a Task.Run), the cost that dominates a latency-bound call and the rate can't show.
        var workItemsPerOp = (ThreadPool.CompletedWorkItemCount - workItemsBefore) / operations;
        var mean = rates.Average();
        var sd = Math.Sqrt(rates.Sum(r => (r - mean) * (r - mean)) / rates.Length);
        return new Measurement(mean, sd, bytesPerOp, cpuPerOp, workItemsPerOp);
    }

    /// <summary>Latency percentiles of one operation run back to back for the timed period.</summary>
    public static async Task<(double P50, double P99)> LatencyAsync(Func<Task> operation, BenchOptions options)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.WarmUp) await operation().ConfigureAwait(false);
        var samples = new List<double>();
        var total = options.RunLength * options.Runs;
        clock.Restart();
        while (clock.Elapsed < total)
        {
            var start = Stopwatch.GetTimestamp();
            await operation().ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        samples.Sort();
        return (Percentile(samples, 0.50), Percentile(samples, 0.99));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}

/// <param name="BytesPerOp">Bytes the process allocated per operation while timed.</param>
/// <param name="CpuMicrosPerOp">CPU time the process used per operation while timed (all threads).</param>
/// <param name="WorkItemsPerOp">Thread-pool work items the process completed per operation while timed.</param>
public readonly record struct Measurement(double Mean, double StdDev, double BytesPerOp, double CpuMicrosPerOp, double WorkItemsPerOp);
