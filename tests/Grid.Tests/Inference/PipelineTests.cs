using Grid.Samples.Inference;
using Grid.Samples.Scenarios;
using Grid.Testing;

namespace Grid.Tests.Inference;

/// <summary>
/// S16, the three-stage LLM pipeline, through the sample's own code on three in-process nodes that declare one GPU
/// each (no CUDA here: the models run on the CPU, the GPUs are what places and pins the stages).
/// </summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task S16_each_stage_runs_on_the_node_it_is_pinned_to_and_the_pipeline_equals_the_in_process_run()
    {
        var folder = Path.Combine(Path.GetTempPath(), "grid-tests-s16-" + Guid.NewGuid().ToString("N"));
        var weights = Path.Combine(folder, "tiny-gpt.dat");
        try
        {
            await using var cluster = await new GridTestClusterBuilder()
                .Silos(3)
                .ConfigureNodes(o => { o.NumCpus = 2; o.NumGpus = 1; })
                .StartAsync();
            var config = Pipeline.Model;
            Assert.Equal(50257, config.VocabSize);
            Pipeline.SaveWeights(config, weights);
            var prompt = Gpt2.Encode(Pipeline.Prompt);

            // Pinned against the order the nodes are listed in, so default placement would not pass by chance.
            var nodes = await cluster.NodesAsync();
            Assert.Equal(3, nodes.Length);
            NodeId[] pins = [nodes[2], nodes[0], nodes[1]];

            var onGrid = await Pipeline.RunAsync(cluster.Grid, config, weights, prompt, pins);
            var inProcess = Pipeline.RunInProcess(config, weights, prompt);

            Assert.Equal(pins, onGrid.Select(s => s.Node));
            Assert.Equal(3, onGrid.Select(s => s.Node).Distinct().Count());
            Assert.Equal([1, 2, 3], onGrid.Select(s => s.Stage));
            Assert.Equal(prompt, onGrid[0].Input);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(inProcess[i].Input, onGrid[i].Input);
                Assert.Equal(inProcess[i].Generated, onGrid[i].Generated);
                Assert.Equal(Gpt2.Decode(inProcess[i].Generated), Gpt2.Decode(onGrid[i].Generated));
                Assert.Equal("cpu", onGrid[i].Device);
                if (i > 0) Assert.Equal(onGrid[i - 1].Output, onGrid[i].Input); // a stage continues the one before
            }
            // These weights never generate end of text: every stage generates its full count, 20, 30 and 40.
            Assert.Equal(Pipeline.Counts, onGrid.Select(s => s.Generated.Length));
            // Greedy decoding over random weights could collapse onto one repeated token, a weak check of equality.
            Assert.True(onGrid[2].Generated.Distinct().Count() > 10, $"stage 3 generated only {onGrid[2].Generated.Distinct().Count()} distinct tokens");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
