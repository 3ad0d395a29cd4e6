using System.Diagnostics;
using Grid.Inference;
using Grid.Samples.Inference;
using Grid.Wire;
using TorchSharp;

namespace Grid.Samples.Scenarios;

/// <summary>
/// S16: a three-stage LLM pipeline. Three <see cref="PipelineStage"/> actors, each holding one GPU and (on a cluster
/// of three GPU nodes) pinned to a node of its own, load the same <see cref="TinyGpt"/> and generate 20, 30 and 40
/// tokens greedily. A stage's input is the previous stage's input followed by what it generated (the prompt for the
/// first), so the stages continue one text; each reports only the tokens it added.
/// </summary>
/// <remarks>
/// The weights are random but fixed (<see cref="Seed"/>): there is no trained model to download, and the point is
/// that the Grid run equals <see cref="RunInProcess"/>, token for token. Both use one torch thread, since a sum split
/// over threads may round differently and change an argmax.
/// </remarks>
public static class Pipeline
{
    public const string Prompt = "Grid runs Ray's programs on Orleans, and its actors";
    public const long Seed = 16;
    public static readonly int[] Counts = [20, 30, 40];

    /// <summary>The sample's model: d_model 64, 2 layers, 4 heads, a context of 128, GPT-2's vocabulary.</summary>
    public static TinyGptConfig Model => new(Gpt2.VocabSize);

    /// <summary>Where the weights go unless told: this machine's temp folder, which every node of a one-machine cluster reads.</summary>
    public static string DefaultWeightsPath => Path.Combine(Path.GetTempPath(), "grid-samples", $"tiny-gpt-{Seed}.dat");

    /// <summary>
    /// Writes the model's weights, made from <see cref="Seed"/>, to <paramref name="path"/> (a TorchSharp state dict),
    /// replacing the file whole so a stage never reads half of it.
    /// </summary>
    public static void SaveWeights(TinyGptConfig config, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var partial = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        torch.random.manual_seed(Seed);
        using (var model = new TinyGpt(config)) model.save(partial);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>
    /// The three stages one after the other in this process, without Grid: the reference a Grid run must equal. Torch
    /// keeps its thread count per thread, so this runs on a thread of its own set to one, and leaves the threads of
    /// the caller (a node's, in a test) as they were.
    /// </summary>
    public static StageResult[] RunInProcess(TinyGptConfig config, string weightsPath, long[] prompt)
    {
        StageResult[]? results = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                torch.set_num_threads(1);
                using var model = TorchModels.LoadStateDict(new TinyGpt(config), weightsPath, torch.CPU);
                var here = new NodeId("in-process");
                var input = prompt;
                results = new StageResult[Counts.Length];
                for (var i = 0; i < Counts.Length; i++)
                {
                    var generated = TorchInference.Run(() => model.Generate(input, Counts[i], Gpt2.EndOfText, torch.CPU));
                    results[i] = new StageResult(i + 1, input, generated, here, torch.CPU.ToString());
                    input = results[i].Output;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("The in-process pipeline failed: " + failure.Message, failure);
        return results!;
    }

    /// <summary>
    /// Alive nodes that declare a GPU, one each for the stages, or null when there are fewer than the stages (then run
    /// them unpinned, on wherever the cluster's GPUs are).
    /// </summary>
    public static async Task<NodeId[]?> GpuNodesAsync(GridClient grid)
    {
        var nodes = await grid.GetNodesAsync();
        var gpuNodes = nodes.Where(n => n.State == NodeState.Alive && n.Total[ResourceSet.Gpu] >= 1)
            .Select(n => n.NodeId).OrderBy(n => n.Value, StringComparer.Ordinal).ToArray();
        return gpuNodes.Length >= Counts.Length ? gpuNodes[..Counts.Length] : null;
    }

    /// <summary>
    /// Runs the pipeline on Grid: one stage actor per count, holding one GPU, stage i pinned to <paramref name="pins"/>[i]
    /// when given. The calls are submitted at once, each taking the previous stage's result as a ref, so the tokens go
    /// from stage to stage without the driver; the driver waits for the three results. The actors are killed at the end.
    /// </summary>
    /// <param name="gpusPerStage">What each stage holds: one GPU, or a share of one where fewer than three GPUs serve the three stages.</param>
    public static async Task<StageResult[]> RunAsync(GridClient grid, TinyGptConfig config, string weightsPath, long[] prompt, IReadOnlyList<NodeId>? pins,
        double gpusPerStage = 1)
    {
        if (pins is not null && pins.Count != Counts.Length) throw new ArgumentException($"Pin each of the {Counts.Length} stages to a node, or none.", nameof(pins));
        var stopToken = Gpt2.EndOfText;
        var stages = new List<ActorHandle<PipelineStage>>();
        try
        {
            for (var i = 0; i < Counts.Length; i++)
            {
                var (stage, count) = (i + 1, Counts[i]);
                var options = new ActorOptions
                {
                    NumGpus = gpusPerStage,
                    Scheduling = pins is null ? null : SchedulingStrategy.NodeAffinity(pins[i]),
                };
                stages.Add(await grid.CreateActorAsync(() => new PipelineStage(stage, config, weightsPath, count, stopToken), options));
            }
            var results = new List<ObjectRef<StageResult>> { stages[0].Call(s => s.Generate(prompt)) };
            for (var i = 1; i < stages.Count; i++)
            {
                var previous = results[i - 1];
                results.Add(stages[i].Call(s => s.Continue(previous.AsArg())));
            }
            return await grid.GetAsync(results);
        }
        finally
        {
            foreach (var stage in stages) await stage.KillAsync();
        }
    }

    /// <summary>The sample's run: the pipeline on Grid, then in process, printed stage by stage, and whether they agree.</summary>
    public static async Task<bool> RunSampleAsync(GridClient grid, string weightsPath, bool pin, TextWriter output, double gpusPerStage = 1)
    {
        var config = Model;
        SaveWeights(config, weightsPath);
        var prompt = Gpt2.Encode(Prompt);
        output.WriteLine($"S16 pipeline: prompt \"{Prompt}\" ({prompt.Length} tokens), a {config.Layers}-layer d{config.DModel} GPT of {config.VocabSize} tokens (seed {Seed}) in {weightsPath}");
        var pins = pin ? await GpuNodesAsync(grid) : null;
        if (pin && pins is null)
            output.WriteLine($"S16 pipeline: fewer than {Counts.Length} nodes declare a GPU: the stages are not pinned and share the GPUs there are");
        var clock = Stopwatch.StartNew();
        var onGrid = await RunAsync(grid, config, weightsPath, prompt, pins, gpusPerStage);
        var gridTime = clock.Elapsed;
        clock.Restart();
        var reference = RunInProcess(config, weightsPath, prompt);
        var referenceTime = clock.Elapsed;
        foreach (var stage in onGrid)
            output.WriteLine($"S16 stage {stage.Stage} on node {stage.Node} ({stage.Device}), {stage.Input.Length} tokens in, {stage.Generated.Length} generated: \"{Escape(Gpt2.Decode(stage.Generated))}\"");
        var same = onGrid.Zip(reference).All(p => p.First.Generated.SequenceEqual(p.Second.Generated));
        output.WriteLine($"S16 pipeline: Grid run ({gridTime.TotalSeconds:F1} s, actors created and models loaded included) "
            + (same ? "equals" : "DIFFERS FROM") + $" the in-process run ({referenceTime.TotalSeconds:F1} s), token for token");
        output.WriteLine($"S16 text: \"{Escape(Gpt2.Decode(onGrid[^1].Output))}\"");
        return same;
    }

    private static string Escape(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
