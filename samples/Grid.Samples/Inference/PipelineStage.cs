using Grid.Inference;
using static TorchSharp.torch;

namespace Grid.Samples.Inference;

/// <summary>What one stage of the S16 pipeline did: the tokens it generated, where it ran, on which torch device.</summary>
/// <param name="Input">The tokens it was given: the prompt, or the previous stage's input followed by what that stage generated.</param>
/// <param name="Generated">The tokens it appended to its input (at most its count; fewer when it generated GPT-2's end of text).</param>
public sealed record StageResult(int Stage, long[] Input, long[] Generated, NodeId Node, string Device)
{
    /// <summary>The next stage's input: this stage's input followed by what it generated.</summary>
    public long[] Output => [.. Input, .. Generated];
}

/// <summary>
/// One stage of the S16 pipeline as an actor: it loads its model once, in its constructor (on the torch device of
/// the GPU Grid gave it, the CPU where CUDA is absent), and then generates for every call.
/// </summary>
/// <remarks>
/// The model file must be readable where the actor runs (one machine, or storage every node shares). A file that is
/// missing or not a state dict of this shape fails the constructor with a <see cref="ModelLoadException"/>, which
/// every call to the stage then reports.
/// </remarks>
public sealed class PipelineStage
{
    private readonly TinyGpt _model;
    private readonly Device _device;
    private readonly NodeId _node;
    private readonly int _stage;
    private readonly int _count;
    private readonly long _stopToken;

    /// <param name="stage">Its number in the pipeline (1, 2, 3), for its reports.</param>
    /// <param name="count">The most tokens a call generates.</param>
    /// <param name="stopToken">Generation stops after this token (GPT-2's end of text).</param>
    public PipelineStage(int stage, TinyGptConfig config, string weightsPath, int count, long stopToken)
    {
        var context = GridContext.Current;
        _device = context.TorchDevice();
        _model = TorchModels.LoadStateDict(new TinyGpt(config), weightsPath, _device);
        _node = context.NodeId;
        _stage = stage;
        _count = count;
        _stopToken = stopToken;
    }

    /// <summary>Generates after <paramref name="input"/> (the prompt, for the first stage).</summary>
    public StageResult Generate(long[] input) =>
        new(_stage, input, TorchInference.Run(() => _model.Generate(input, _count, _stopToken, _device)), _node, _device.ToString());

    /// <summary>Generates after what <paramref name="previous"/> stage produced (its input and its tokens).</summary>
    public StageResult Continue(StageResult previous) => Generate(previous.Output);
}
