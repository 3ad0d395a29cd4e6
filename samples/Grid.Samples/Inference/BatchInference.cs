using System.Diagnostics;
using Grid.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Grid.Samples.Inference;

/// <summary>One input's output: the index of its largest score, and every score.</summary>
public sealed record Prediction(int Top1, float[] Scores);

/// <summary>What one task computed: the predictions of its inputs, the first being input <paramref name="First"/>, and the node and GPU ids it held.</summary>
public sealed record BatchResult(int First, Prediction[] Predictions, string NodeId, int[] GpuIds);

/// <summary>Inference over a set of inputs: every prediction in input order, the batches it was made of, how long it took.</summary>
public sealed record InferenceRun(Prediction[] Predictions, BatchResult[] Batches, TimeSpan Elapsed)
{
    public double RowsPerSecond => Predictions.Length / Elapsed.TotalSeconds;

    /// <summary>Every (node, GPU id) pair that ran at least one batch.</summary>
    public IReadOnlySet<(string Node, int Gpu)> GpusUsed => Batches.SelectMany(b => b.GpuIds.Select(g => (b.NodeId, g))).ToHashSet();

    /// <summary>Whether <paramref name="other"/> predicted exactly the same: same top-1 and bit-identical scores for every input.</summary>
    public bool SameAs(InferenceRun other) =>
        Predictions.Length == other.Predictions.Length
        && Predictions.Zip(other.Predictions).All(p => p.First.Top1 == p.Second.Top1 && p.First.Scores.AsSpan().SequenceEqual(p.Second.Scores));

    /// <summary>Orders the batches' predictions by their first input.</summary>
    public static InferenceRun Of(BatchResult[] batches, TimeSpan elapsed) =>
        new([.. batches.OrderBy(b => b.First).SelectMany(b => b.Predictions)], batches, elapsed);
}

/// <summary>
/// S17 with a model defined in C# (<see cref="ImageClassifier"/>): a task per batch of images, each holding one GPU
/// (and one CPU), so the batches spread over every GPU of the cluster. The images travel to the tasks as torch tensors
/// (Grid values); each task loads the weights file once per process and returns top-1 classes and logits.
/// </summary>
public static class BatchInference
{
    /// <summary>What each task holds: one GPU, and one CPU, which is also its number of torch threads.</summary>
    public static readonly TaskOptions OneGpu = new() { NumGpus = 1, NumCpus = 1 };

    /// <summary>Images [count, 3, 64, 64] of <see cref="SyntheticImages"/> for <paramref name="seed"/>.</summary>
    public static Tensor Images(int count, int seed)
    {
        const int size = ImageClassifier.ImageSize;
        var pixels = new float[count * 3 * size * size];
        for (int i = 0; i < count; i++) SyntheticImages.Rgb(seed, i, size).CopyTo(pixels, i * 3 * size * size);
        return torch.tensor(pixels, [count, 3, size, size]);
    }

    /// <summary>
    /// The task: classifies <paramref name="images"/> [n, 3, 64, 64], the inputs from <paramref name="first"/> on, with
    /// the weights of <paramref name="weights"/> on the device of the GPU it holds (the CPU where CUDA is absent).
    /// </summary>
    public static BatchResult Classify(Tensor images, int first, string weights)
    {
        var context = GridContext.Current;
        // The task owns the tensor Grid read for it; disposing it now frees the object store memory a view pins.
        using (images)
        {
            var device = context.TorchDevice();
            return new BatchResult(first, Predict(ImageClassifier.Cached(weights, device), images, device), context.NodeId.Value, [.. context.GpuIds]);
        }
    }

    /// <summary>Submits a <see cref="Classify"/> task per batch of <paramref name="batchSize"/> images and gathers the predictions.</summary>
    public static async Task<InferenceRun> RunAsync(GridClient grid, Tensor images, int batchSize, string weights)
    {
        var classify = grid.Function<Tensor, int, string, BatchResult>(Classify, OneGpu);
        var clock = Stopwatch.StartNew();
        var batches = Batches(images, batchSize);
        try
        {
            var results = await grid.GetAsync(batches.Select(b => classify.Remote(b.Images, b.First, weights)).ToList());
            return InferenceRun.Of(results, clock.Elapsed);
        }
        finally
        {
            foreach (var batch in batches) batch.Images.Dispose();
        }
    }

    /// <summary>
    /// The single-process reference: the same batches through the same code, in this process, without Grid, with one
    /// torch thread as each task has. Results are bit-identical to <see cref="RunAsync"/> on CPUs (same kernels, same
    /// inputs, same thread count).
    /// </summary>
    /// <remarks>
    /// Sets torch's threads on the calling thread to 1 and leaves them so, as a task's NumCpus = 1 would: changing them
    /// is not free (libtorch resizes its pools), and a timed loop that set and restored them per call measured that.
    /// </remarks>
    public static InferenceRun RunLocally(Tensor images, int batchSize, string weights)
    {
        if (torch.get_num_threads() != 1) torch.set_num_threads(1);
        var model = ImageClassifier.Cached(weights, CPU);
        var clock = Stopwatch.StartNew();
        var batches = Batches(images, batchSize);
        var results = new List<BatchResult>();
        foreach (var (first, batch) in batches)
        {
            using (batch) results.Add(new BatchResult(first, Predict(model, batch, CPU), "local", []));
        }
        return InferenceRun.Of([.. results], clock.Elapsed);
    }

    private static List<(int First, Tensor Images)> Batches(Tensor images, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long count = images.shape[0];
        var batches = new List<(int, Tensor)>();
        for (int first = 0; first < count; first += batchSize) batches.Add((first, images.narrow(0, first, Math.Min(batchSize, count - first))));
        return batches;
    }

    private static Prediction[] Predict(ImageClassifier model, Tensor images, Device device) =>
        TorchInference.Run(() =>
        {
            var logits = model.forward(images.to(device)).cpu();
            int classes = (int)logits.shape[1];
            var all = logits.data<float>().ToArray();
            return Enumerable.Range(0, (int)logits.shape[0]).Select(row =>
            {
                var scores = all.AsSpan(row * classes, classes).ToArray();
                return new Prediction(Top1(scores), scores);
            }).ToArray();
        });

    /// <summary>The index of the largest score (the first, on a tie).</summary>
    internal static int Top1(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }
}
