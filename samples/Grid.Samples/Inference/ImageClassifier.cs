using System.Collections.Concurrent;
using Grid.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grid.Samples.Inference;

/// <summary>
/// S17's model defined in C#: a small CNN for 3×64×64 images (three conv 3×3 + ReLU + max-pool 2×2 stages, 16, 32
/// and 64 channels, then a linear head of <see cref="Classes"/> logits). Its weights come from a fixed seed and are
/// saved once as a TorchSharp state dict; tasks load that file, so every node computes with the same weights.
/// </summary>
public sealed class ImageClassifier : nn.Module<Tensor, Tensor>
{
    public const int Classes = 10;
    public const int ImageSize = 64;

    private readonly Conv2d conv1 = nn.Conv2d(3, 16, kernel_size: 3, padding: 1);
    private readonly Conv2d conv2 = nn.Conv2d(16, 32, kernel_size: 3, padding: 1);
    private readonly Conv2d conv3 = nn.Conv2d(32, 64, kernel_size: 3, padding: 1);
    private readonly MaxPool2d pool = nn.MaxPool2d(kernel_size: 2);
    private readonly Linear head = nn.Linear(64 * (ImageSize / 8) * (ImageSize / 8), Classes);

    public ImageClassifier() : base(nameof(ImageClassifier)) => RegisterComponents();

    /// <summary>Logits [N, <see cref="Classes"/>] of images [N, 3, 64, 64].</summary>
    public override Tensor forward(Tensor images)
    {
        var x = pool.forward(nn.functional.relu(conv1.forward(images)));
        x = pool.forward(nn.functional.relu(conv2.forward(x)));
        x = pool.forward(nn.functional.relu(conv3.forward(x)));
        return head.forward(x.flatten(1));
    }

    /// <summary>
    /// Writes the weights of a classifier initialised from <paramref name="seed"/> to <paramref name="path"/> (a
    /// TorchSharp <c>.dat</c> state dict): the same seed gives the same file. Done once, by the driver, before any task.
    /// </summary>
    public static void SaveWeights(string path, long seed)
    {
        // manual_seed sets torch's global generator, which the layers' initialisers draw from as they are built.
        torch.manual_seed(seed);
        using var model = new ImageClassifier();
        model.save(path);
    }

    /// <summary>
    /// The classifier with the weights of <paramref name="path"/> on <paramref name="device"/>, loaded by the first
    /// caller in this process and shared by every later one. A worker process (a node) runs many tasks: loading per
    /// task would read and copy the file each time, the cost that batching inference is meant to spread. Sharing one
    /// module between tasks running at once is safe because inference only reads it (evaluation mode, no autograd:
    /// see <see cref="TorchInference"/>). The key includes the device: a node with two GPUs keeps one copy on each.
    /// </summary>
    public static ImageClassifier Cached(string path, Device device) =>
        Loaded.GetOrAdd((Path.GetFullPath(path), device.ToString()),
            key => new Lazy<ImageClassifier>(() => TorchModels.LoadStateDict(new ImageClassifier(), key.Path, device))).Value;

    // Lazy so that two tasks asking at once load the file once (GetOrAdd may run its factory twice).
    private static readonly ConcurrentDictionary<(string Path, string Device), Lazy<ImageClassifier>> Loaded = new();
}
