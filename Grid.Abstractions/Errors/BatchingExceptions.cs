namespace Grid;

/// <summary>
/// A batch function (see <c>Batcher</c>) returned a number of outputs other than the number of inputs it was given:
/// no output can be matched to its input, so every caller of that batch gets this error. The batch function must return
/// exactly one output per input, in the order of its inputs.
/// </summary>
[GenerateSerializer]
public sealed class BatchOutputCountException : GridException
{
    public BatchOutputCountException(int inputs, int? outputs)
        : base($"The batch function returned {(outputs is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")} " +
               $"outputs for a batch of {inputs} inputs: it must return exactly one output per input, in input order. Fix the batch function.")
    {
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>How many inputs the batch had.</summary>
    [Id(0)] public int Inputs { get; }

    /// <summary>How many outputs the batch function returned; null when it returned no list at all.</summary>
    [Id(1)] public int? Outputs { get; }
}
