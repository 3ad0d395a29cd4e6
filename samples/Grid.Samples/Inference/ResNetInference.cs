using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Grid.Samples.Inference;

/// <summary>
/// S17 with a real pretrained model: ImageNet ResNet-18 as ONNX (the file of the Microsoft.ML.DnnImageFeaturizer.ResNet18
/// package, copied beside the program as DnnImageModels/ResNet18.onnx), run by ONNX Runtime on the CPU, a task per
/// batch of images, each holding one GPU of the cluster.
/// </summary>
/// <remarks>
/// That file is ML.NET's image featurizer: ResNet-18 exported from CNTK without its 1000-class layer. Its input
/// "Input247" is one image [1, 3, 224, 224], BGR, 0–255, minus the ImageNet mean; its output "Pooling395_Output_0" is
/// the 512 features of the final average pool [1, 512, 1, 1]. So a prediction's scores are those features and its
/// top-1 is the strongest feature's index, not an ImageNet class (the package has no classifier weights).
/// </remarks>
public static class ResNetInference
{
    public const int ImageSize = 224;
    private const int ImageFloats = 3 * ImageSize * ImageSize;

    /// <summary>Where the build puts the model, beside the program.</summary>
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18.onnx");

    // ImageNet's mean pixel in the model's channel order (B, G, R) on the 0–255 scale: the per-channel averages of the
    // mean image that ML.NET's preprocessing model for this network (ResNetPreprocess.onnx) subtracts.
    private static readonly float[] MeanBgr = [103.06f, 115.90f, 123.15f];

    /// <summary>The model's inputs and outputs: name, element type and shape, one per line.</summary>
    public static string Describe(string modelPath)
    {
        var session = Cached(modelPath);
        static string Line(string kind, KeyValuePair<string, NodeMetadata> m) =>
            $"{kind} {m.Key}: {m.Value.ElementDataType} [{string.Join(", ", m.Value.Dimensions)}]";
        return string.Join(Environment.NewLine, session.InputMetadata.Select(m => Line("input", m)).Concat(session.OutputMetadata.Select(m => Line("output", m))));
    }

    /// <summary>
    /// <paramref name="count"/> images of <see cref="SyntheticImages"/> for <paramref name="seed"/>, 224×224, normalised as
    /// the model expects (RGB in [0, 1] to BGR 0–255 minus the mean pixel), one after another in one array.
    /// </summary>
    public static float[] Images(int count, int seed)
    {
        var all = new float[count * ImageFloats];
        const int plane = ImageSize * ImageSize;
        for (int i = 0; i < count; i++)
        {
            var rgb = SyntheticImages.Rgb(seed, i, ImageSize);
            var image = all.AsSpan(i * ImageFloats, ImageFloats);
            for (int c = 0; c < 3; c++)
            {
                var source = rgb.AsSpan((2 - c) * plane, plane); // BGR: channel c of the input is RGB channel 2 - c
                var target = image.Slice(c * plane, plane);
                for (int p = 0; p < plane; p++) target[p] = source[p] * 255f - MeanBgr[c];
            }
        }
        return all;
    }

    /// <summary>The task: the model's features for <paramref name="images"/> (whole images, as <see cref="Images"/> lays them out), the inputs from <paramref name="first"/> on.</summary>
    public static BatchResult Embed(float[] images, int first, string modelPath)
    {
        var context = GridContext.Current;
        return new BatchResult(first, Predict(Cached(modelPath), images), context.NodeId.Value, [.. context.GpuIds]);
    }

    /// <summary>Submits an <see cref="Embed"/> task per batch of <paramref name="batchSize"/> images and gathers the predictions.</summary>
    public static async Task<InferenceRun> RunAsync(GridClient grid, float[] images, int batchSize, string modelPath)
    {
        var embed = grid.Function<float[], int, string, BatchResult>(Embed, BatchInference.OneGpu);
        var clock = Stopwatch.StartNew();
        var results = await grid.GetAsync(Batches(images, batchSize).Select(b => embed.Remote(b.Images, b.First, modelPath)).ToList());
        return InferenceRun.Of(results, clock.Elapsed);
    }

    /// <summary>The single-process reference: the same batches through the same session code, in this process, without Grid.</summary>
    public static InferenceRun RunLocally(float[] images, int batchSize, string modelPath)
    {
        var session = Cached(modelPath);
        var clock = Stopwatch.StartNew();
        var results = Batches(images, batchSize).Select(b => new BatchResult(b.First, Predict(session, b.Images), "local", [])).ToArray();
        return InferenceRun.Of(results, clock.Elapsed);
    }

    private static IEnumerable<(int First, float[] Images)> Batches(float[] images, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int count = images.Length / ImageFloats;
        for (int first = 0; first < count; first += batchSize)
            yield return (first, images.AsSpan(first * ImageFloats, Math.Min(batchSize, count - first) * ImageFloats).ToArray());
    }

    // The model's batch dimension is fixed at 1: one run per image.
    private static Prediction[] Predict(InferenceSession session, float[] images)
    {
        if (images.Length % ImageFloats != 0) throw new ArgumentException($"{images.Length} floats are not whole 3×{ImageSize}×{ImageSize} images.", nameof(images));
        var input = session.InputMetadata.Keys.Single();
        var predictions = new Prediction[images.Length / ImageFloats];
        for (int i = 0; i < predictions.Length; i++)
        {
            var tensor = new DenseTensor<float>(images.AsMemory(i * ImageFloats, ImageFloats), [1, 3, ImageSize, ImageSize]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)]);
            var scores = outputs[0].AsTensor<float>().ToArray();
            predictions[i] = new Prediction(BatchInference.Top1(scores), scores);
        }
        return predictions;
    }

    /// <summary>
    /// The session for <paramref name="path"/>, created by the first caller in this process and shared by every later
    /// one: creating it reads and optimises the 64 MB model (about a second), far more than running one image, and
    /// ONNX Runtime allows concurrent Run calls on one session. One intra-op thread and sequential execution: each
    /// task holds one CPU, and a fixed single-threaded schedule gives the same floating-point sums in every run.
    /// </summary>
    private static InferenceSession Cached(string path) =>
        Sessions.GetOrAdd(Path.GetFullPath(path), full => new Lazy<InferenceSession>(() =>
        {
            if (!File.Exists(full)) throw new FileNotFoundException($"There is no ONNX model at '{full}' on this node: it is built beside the program (DnnImageModels/ResNet18.onnx).", full);
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            return new InferenceSession(full, options);
        })).Value;

    // Lazy so that two tasks asking at once create one session (GetOrAdd may run its factory twice).
    private static readonly ConcurrentDictionary<string, Lazy<InferenceSession>> Sessions = new();
}
