namespace Grid.Samples.Inference;

/// <summary>
/// <c>Grid.Samples s17</c>: S17 twice on the grid it is given (the program starts the embedded mode with a node of 4
/// CPUs declaring 2 GPUs), printing rows per second and whether the results equal the single-process run.
/// </summary>
public static class BatchInferenceDemo
{
    public static async Task RunAsync(GridClient grid, TextWriter output)
    {
        var weights = Path.Combine(Path.GetTempPath(), "grid-s17-classifier-seed17.dat");
        ImageClassifier.SaveWeights(weights, seed: 17);
        using var images = BatchInference.Images(256, seed: 1);
        await BatchInference.RunAsync(grid, images, 32, weights); // warm-up: each worker loads the weights once
        var distributed = await BatchInference.RunAsync(grid, images, 32, weights);
        var local = BatchInference.RunLocally(images, 32, weights);
        output.WriteLine($"S17 classifier (TorchSharp CNN, 256 images 3x64x64, batches of 32): {Rate(distributed)} on Grid over {Gpus(distributed)}, " +
                         $"{Rate(local)} in one process (one thread); equal to the single-process run: {distributed.SameAs(local)}");

        output.WriteLine("S17 ResNet-18 (ONNX) " + ResNetInference.Describe(ResNetInference.ModelPath).Replace(Environment.NewLine, "; "));
        var pictures = ResNetInference.Images(16, seed: 2);
        var onGrid = await ResNetInference.RunAsync(grid, pictures, 2, ResNetInference.ModelPath);
        var inProcess = ResNetInference.RunLocally(pictures, 2, ResNetInference.ModelPath);
        output.WriteLine($"S17 ResNet-18 (16 images 3x224x224, batches of 2): {Rate(onGrid)} on Grid over {Gpus(onGrid)} (first run: sessions created), " +
                         $"{Rate(inProcess)} in one process; equal to the single-process run: {onGrid.SameAs(inProcess)}; " +
                         $"strongest features of the first 4: [{string.Join(", ", onGrid.Predictions.Take(4).Select(p => p.Top1))}]");
    }

    private static string Rate(InferenceRun run) => $"{run.RowsPerSecond:F0} rows/s";

    private static string Gpus(InferenceRun run) =>
        $"{run.GpusUsed.Count} GPU(s) of {run.GpusUsed.Select(g => g.Node).Distinct().Count()} node(s), ids [{string.Join(", ", run.GpusUsed.Select(g => g.Gpu).Order())}]";
}
