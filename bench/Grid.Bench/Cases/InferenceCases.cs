using Grid.Bench.Harness;
using Grid.Bench.Topology;
using Grid.Samples.Inference;
using Grid.Silo;

namespace Grid.Bench.Cases;

/// <summary>
/// S17's batch inference with the samples' TorchSharp classifier, on clusters of their own whose nodes each declare
/// one CPU and one GPU (CPU kernels where CUDA is absent), every task holding one GPU and one CPU (one torch thread):
/// <list type="bullet">
/// <item><c>inference_rows_per_second</c>: 256 images in batches of 32 on 1 node and on 2 nodes, and the 2-node/1-node
/// ratio (how wall time falls as GPUs are added; 2 cores can give at most 2).</item>
/// <item><c>inference_batch32_rows_per_second</c>: one task of 32 images at a time against calling the model directly
/// in this process on the same 32 images with one thread (the baseline): the ratio is what Grid's per-call overhead
/// leaves of the model's own rate.</item>
/// </list>
/// Selected like every case, by <c>--filter</c> on these names.
/// </summary>
public static class InferenceCases
{
    public const string Scaling = "inference_rows_per_second";
    public const string Overhead = "inference_batch32_rows_per_second";
    private const int Images = 256;
    private const int Batch = 32;
    private const int CallBatch = 32;

    /// <summary>Runs the selected cases. Their silos start, and stop, before the bench's own topology starts.</summary>
    public static async Task RunAsync(BenchOptions options, Report report)
    {
        bool scaling = Selected(options, Scaling), overhead = Selected(options, Overhead);
        if (!scaling && !overhead) return;
        var weights = Path.Combine(Path.GetTempPath(), $"grid-bench-classifier-{Environment.ProcessId}.dat");
        ImageClassifier.SaveWeights(weights, seed: 17);
        try
        {
            using var images = BatchInference.Images(Images, seed: 1);
            using var call = BatchInference.Images(CallBatch, seed: 2);
            // Every silo starts before either client connects, and the clients ship no code (the silos of this process have it).
            var oneSilo = await TopologyFactory.StartClusterSilosAsync(1, GpuNode);
            var twoSilos = await TopologyFactory.StartClusterSilosAsync(2, GpuNode);
            await using var one = await oneSilo.ConnectAsync(shipCode: false);
            await using var two = await twoSilos.ConnectAsync(shipCode: false);
            report.Note($"inference: TorchSharp CNN on 3x64x64 images, one-GPU tasks (NumCpus 1, one torch thread); clusters of 1 and 2 silos over loopback TCP, " +
                        $"each node declaring 1 CPU and 1 GPU; {Environment.ProcessorCount} cores");
            if (scaling)
            {
                var single = await Timeit.RunAsync(() => BatchInference.RunAsync(one.Client, images, Batch, weights), Images, options);
                report.Figure(Scaling + ".1_node", single.Mean, "rows/s");
                var pair = await Timeit.RunAsync(() => BatchInference.RunAsync(two.Client, images, Batch, weights), Images, options);
                report.Figure(Scaling + ".2_nodes", pair.Mean, "rows/s");
                report.Ratio(Scaling + ".2_nodes", "1_node", pair.Mean / single.Mean);
            }
            if (overhead)
            {
                var grid = await Timeit.RunAsync(() => BatchInference.RunAsync(one.Client, call, CallBatch, weights), CallBatch, options);
                report.Figure(Overhead, grid.Mean, "rows/s");
                if (options.NoBaseline) return;
                var direct = await Timeit.RunAsync(() =>
                {
                    BatchInference.RunLocally(call, CallBatch, weights);
                    return Task.CompletedTask;
                }, CallBatch, options);
                report.Figure(Overhead + ".baseline", direct.Mean, "rows/s");
                report.Ratio(Overhead, grid.Mean / direct.Mean);
            }
        }
        finally
        {
            File.Delete(weights);
        }
    }

    private static void GpuNode(GridNodeOptions node)
    {
        node.NumCpus = 1;
        node.NumGpus = 1;
    }

    private static bool Selected(BenchOptions options, string name) =>
        options.Filter is not { } filter || name.Contains(filter, StringComparison.OrdinalIgnoreCase);
}
