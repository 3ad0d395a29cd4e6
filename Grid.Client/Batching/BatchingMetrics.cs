using System.Diagnostics.Metrics;

namespace Grid.Batching;

/// <summary>Metrics of dynamic batching (meter "Grid.Batching").</summary>
internal static class BatchingMetrics
{
    public const string MeterName = "Grid.Batching";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>The inputs of each call of a batch function (its items re-run one by one after a failure are not counted).</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("grid.batching.batch_size", unit: "{item}", description: "Inputs per call of a batch function");
}
