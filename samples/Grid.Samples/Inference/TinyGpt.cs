using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grid.Samples.Inference;

/// <summary>
/// The shape of a <see cref="TinyGpt"/>: a GPT-2-like decoder small enough to run fast on one CPU thread. A state
/// dict loads only into a model of the same shape.
/// </summary>
/// <param name="VocabSize">Token ids are below this: GPT-2's 50257 (<see cref="Gpt2.VocabSize"/>).</param>
/// <param name="Context">The most tokens the model sees at once (its position embeddings); longer inputs are cut to their last <paramref name="Context"/> tokens.</param>
public sealed record TinyGptConfig(int VocabSize, int DModel = 64, int Layers = 2, int Heads = 4, int Context = 128);

/// <summary>
/// A decoder-only transformer (GPT-2's layout): token and position embeddings, pre-norm blocks of causal
/// self-attention and an MLP, a final norm, and an LM head. The head is a matrix of its own, not tied to the token
/// embedding as GPT-2's is: with random weights a tied head maps a token back onto itself and greedy decoding repeats
/// one token, which would make a weak check of a pipeline. Its parameters' names are its fields' names, which a
/// saved state dict keys on.
/// </summary>
internal sealed class TinyGpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;
    private readonly TinyGptConfig _config;

    public TinyGpt(TinyGptConfig config) : base(nameof(TinyGpt))
    {
        if (config.DModel % config.Heads != 0) throw new ArgumentException($"DModel {config.DModel} is not a multiple of Heads {config.Heads}.", nameof(config));
        _config = config;
        tokens = nn.Embedding(config.VocabSize, config.DModel);
        positions = nn.Embedding(config.Context, config.DModel);
        blocks = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new Block(config.DModel, config.Heads))]);
        norm = nn.LayerNorm(config.DModel);
        head = nn.Linear(config.DModel, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Token ids [batch, time] (time at most Context) → the next token's logits [batch, VocabSize] (the last position's only).</summary>
    public override Tensor forward(Tensor ids)
    {
        var time = ids.shape[1];
        var x = tokens.call(ids) + positions.call(arange(time, dtype: ScalarType.Int64, device: ids.device));
        foreach (var block in blocks) x = block.call(x);
        return head.call(norm.call(x[.., -1, ..]));
    }

    /// <summary>
    /// Greedy decoding: appends up to <paramref name="count"/> tokens to <paramref name="input"/>, each the argmax of
    /// the logits over the last Context tokens, stopping early after <paramref name="stopToken"/>. Returns the
    /// generated tokens only. Deterministic for given weights and torch threads, which is what lets a pipeline on
    /// Grid be compared with one run in a single process.
    /// </summary>
    public long[] Generate(long[] input, int count, long stopToken, Device device)
    {
        if (input.Length == 0) throw new ArgumentException("A prompt needs at least one token.", nameof(input));
        var sequence = new List<long>(input);
        var generated = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            using var step = NewDisposeScope(); // one step's tensors freed at its end, not the whole generation's
            var window = sequence.Count <= _config.Context ? sequence.ToArray() : sequence.GetRange(sequence.Count - _config.Context, _config.Context).ToArray();
            var logits = call(tensor(window, device: device).unsqueeze(0));
            var next = logits.argmax(-1).item<long>();
            sequence.Add(next);
            generated.Add(next);
            if (next == stopToken) break;
        }
        return [.. generated];
    }

    /// <summary>Pre-norm: x + attention(norm(x)), then x + mlp(norm(x)).</summary>
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm norm1;
        private readonly CausalSelfAttention attention;
        private readonly LayerNorm norm2;
        private readonly Linear up;
        private readonly Linear down;

        public Block(int dModel, int heads) : base(nameof(Block))
        {
            norm1 = nn.LayerNorm(dModel);
            attention = new CausalSelfAttention(dModel, heads);
            norm2 = nn.LayerNorm(dModel);
            up = nn.Linear(dModel, 4 * dModel);
            down = nn.Linear(4 * dModel, dModel);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = x + attention.call(norm1.call(x));
            return x + down.call(nn.functional.gelu(up.call(norm2.call(x))));
        }
    }

    /// <summary>Multi-head self-attention where position t sees positions 0..t only.</summary>
    private sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear qkv;
        private readonly Linear projection;
        private readonly int _heads;

        public CausalSelfAttention(int dModel, int heads) : base(nameof(CausalSelfAttention))
        {
            _heads = heads;
            qkv = nn.Linear(dModel, 3 * dModel);
            projection = nn.Linear(dModel, dModel);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            long batch = x.shape[0], time = x.shape[1], channels = x.shape[2], headSize = channels / _heads;
            // [batch, time, 3 * channels] → three of [batch, heads, time, headSize]
            var parts = qkv.call(x).view(batch, time, 3, _heads, headSize).permute(2, 0, 3, 1, 4);
            Tensor q = parts[0], k = parts[1], v = parts[2];
            var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(headSize);
            var future = ones(time, time, dtype: ScalarType.Bool, device: x.device).triu(1);
            var weights = scores.masked_fill(future, double.NegativeInfinity).softmax(-1);
            var mixed = weights.matmul(v).transpose(1, 2).reshape(batch, time, channels);
            return projection.call(mixed);
        }
    }
}
