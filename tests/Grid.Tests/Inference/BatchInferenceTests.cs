using Grid.Samples.Inference;
using Grid.Testing;

namespace Grid.Tests.Inference;

/// <summary>
/// S17 batch inference through the samples' own code, on in-process clusters whose nodes each declare one GPU (2 CPUs):
/// the predictions equal those of the same batches run in this process without Grid, bit for bit (CPU kernels with
/// one thread, the same inputs), and every declared GPU ran at least one batch.
/// </summary>
public sealed class BatchInferenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grid-s17-").FullName;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Classifier_on_gpu_nodes_equals_one_process_and_every_gpu_works(int nodes)
    {
        var weights = Path.Combine(_folder, $"classifier-{nodes}.dat");
        ImageClassifier.SaveWeights(weights, seed: 17);
        using var images = BatchInference.Images(64, seed: 3);
        await using var cluster = await StartAsync(nodes);

        var distributed = await BatchInference.RunAsync(cluster.Grid, images, batchSize: 4, weights);
        var local = BatchInference.RunLocally(images, batchSize: 4, weights);

        AssertSame(local, distributed, ImageClassifier.Classes);
        Assert.Equal(await DeclaredGpusAsync(cluster), distributed.GpusUsed);
    }

    [Fact]
    public async Task ResNet18_onnx_on_two_gpu_nodes_equals_one_process_and_every_gpu_works()
    {
        var images = ResNetInference.Images(16, seed: 4);
        await using var cluster = await StartAsync(2);

        var distributed = await ResNetInference.RunAsync(cluster.Grid, images, batchSize: 2, ResNetInference.ModelPath);
        var local = ResNetInference.RunLocally(images, batchSize: 2, ResNetInference.ModelPath);

        AssertSame(local, distributed, 512);
        Assert.Equal(await DeclaredGpusAsync(cluster), distributed.GpusUsed);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Task<GridTestCluster> StartAsync(int nodes) =>
        new GridTestClusterBuilder().Silos(nodes).ConfigureNodes(o => { o.NumCpus = 2; o.NumGpus = 1; }).StartAsync();

    // Each node declares one GPU, whose id is 0.
    private static async Task<HashSet<(string Node, int Gpu)>> DeclaredGpusAsync(GridTestCluster cluster) =>
        [.. (await cluster.NodesAsync()).Select(n => (n.Value, 0))];

    private static void AssertSame(InferenceRun expected, InferenceRun actual, int scores)
    {
        Assert.Equal(expected.Predictions.Length, actual.Predictions.Length);
        for (int i = 0; i < expected.Predictions.Length; i++)
        {
            Assert.Equal(scores, actual.Predictions[i].Scores.Length);
            Assert.Equal(expected.Predictions[i].Top1, actual.Predictions[i].Top1);
            Assert.Equal(expected.Predictions[i].Scores, actual.Predictions[i].Scores); // exact: float equality, element by element
        }
        Assert.True(actual.SameAs(expected));
    }
}
