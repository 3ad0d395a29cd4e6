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
        }
        var mean = rates.Average();
        var sd = Math.Sqrt(rates.Sum(r => (r - mean) * (r - mean)) / rates.Length);
        return new Measurement(mean, sd);
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

public readonly record struct Measurement(double Mean, double StdDev);
