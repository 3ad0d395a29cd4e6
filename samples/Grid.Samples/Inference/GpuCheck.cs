using Grid.Samples.Scenarios;
using TorchSharp;

namespace Grid.Samples.Inference;

/// <summary>
/// `Grid.Samples gpu` (deploy/gpu/run.sh): S16 and S17 on this machine's CUDA devices, each checked against the same
/// work on the CPU in this process. An embedded node declares every CUDA device as a GPU, so each stage and task holds
/// one and runs on <c>cuda:N</c>. S17's scores must agree within <see cref="Tolerance"/> and its top-1 classes exactly;
/// S16's greedy tokens must be equal (a near-tie could flip one: the run says where). Rows/s are per GPU.
/// </summary>
public static class GpuCheck
{
    /// <summary>The largest difference allowed between a CUDA score and the CPU's (float32 sums in another order).</summary>
    public const float Tolerance = 1e-3f;

    /// <param name="withoutCuda">Runs the check where CUDA is absent, on a node declaring 2 GPUs (the CPU against itself): a dry run of this code.</param>
    /// <returns>0 when both agree with the CPU, 1 when one differs, 2 without CUDA.</returns>
    public static async Task<int> RunAsync(TextWriter output, bool withoutCuda = false)
    {
        bool cuda = torch.cuda.is_available();
        if (!cuda && !withoutCuda)
        {
            output.WriteLine("gpu check: torch sees no CUDA device here; nothing to check (is libtorch's CUDA build on LD_LIBRARY_PATH?)");
            return 2;
        }
        int gpus = cuda ? torch.cuda.device_count() : 2;
        output.WriteLine(cuda ? $"gpu check: {gpus} CUDA device(s)" : "gpu check: a dry run without CUDA, on a node declaring 2 GPUs (the CPU checked against itself)");
        await using var grid = await GridClient.StartLocalAsync(node => { node.NumCpus = Math.Max(gpus, Environment.ProcessorCount); node.NumGpus = gpus; });
        bool s17 = await CheckS17Async(grid, gpus, output);
        // Three stages, a GPU each where there are three; on fewer, each holds a third of one (they share cuda:0).
        bool s16 = await Pipeline.RunSampleAsync(grid, Pipeline.DefaultWeightsPath, pin: false, output, gpusPerStage: gpus >= Pipeline.Counts.Length ? 1 : 1.0 / Pipeline.Counts.Length);
        output.WriteLine($"gpu check: S17 {(s17 ? "agrees" : "DIFFERS")}, S16 {(s16 ? "agrees" : "DIFFERS")} with the CPU");
        return s17 && s16 ? 0 : 1;
    }

    private static async Task<bool> CheckS17Async(GridClient grid, int gpus, TextWriter output)
    {
        var weights = Path.Combine(Path.GetTempPath(), "grid-samples", "gpu-check-classifier.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        ImageClassifier.SaveWeights(weights, seed: 17);
        using var images = BatchInference.Images(1024, seed: 1);
        await BatchInference.RunAsync(grid, images, 64, weights); // loads the model on every GPU first
        var onGpus = await BatchInference.RunAsync(grid, images, 64, weights);
        var onCpu = BatchInference.RunLocally(images, 64, weights);
        float worst = 0;
        int classes = 0;
        foreach (var (gpu, cpu) in onGpus.Predictions.Zip(onCpu.Predictions))
        {
            if (gpu.Top1 == cpu.Top1) classes++;
            for (int i = 0; i < gpu.Scores.Length; i++) worst = Math.Max(worst, Math.Abs(gpu.Scores[i] - cpu.Scores[i]));
        }
        var devices = onGpus.GpusUsed.Count;
        output.WriteLine($"S17 on {devices} of {gpus} GPU(s): {onGpus.RowsPerSecond / devices:F0} rows/s per GPU ({onGpus.RowsPerSecond:F0} in all; the CPU in one process: {onCpu.RowsPerSecond:F0}); "
            + $"top-1 equal for {classes} of {onCpu.Predictions.Length}, largest score difference {worst:G3} (tolerance {Tolerance})");
        return classes == onCpu.Predictions.Length && worst <= Tolerance;
    }
}
