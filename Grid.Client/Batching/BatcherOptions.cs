namespace Grid;

/// <summary>
/// How a <see cref="Batcher{TIn, TOut}"/> forms batches (Ray Serve's <c>@serve.batch</c> arguments). A batch goes when
/// <see cref="MaxBatchSize"/> items wait, or when <see cref="MaxWait"/> has passed since its first item arrived.
/// </summary>
public sealed record BatcherOptions
{
    /// <summary>The most items in one call of the batch function, at least 1; 10 by default (Serve's <c>max_batch_size</c>).</summary>
    public int MaxBatchSize { get; init; } = 10;

    /// <summary>
    /// How long a batch waits to fill after its first item arrived: zero sends what is there as soon as the batch
    /// function is free; 10 ms by default (Serve's <c>batch_wait_timeout_s</c>). At most <see cref="MaxWaitLimit"/>.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest <see cref="MaxWait"/> allowed: a day.</summary>
    public static readonly TimeSpan MaxWaitLimit = TimeSpan.FromDays(1);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option for values a batcher cannot honour.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "BatcherOptions.MaxBatchSize must be at least 1 (1 turns batching off).");
        if (MaxWait < TimeSpan.Zero || MaxWait > MaxWaitLimit)
            throw new ArgumentOutOfRangeException(nameof(MaxWait), MaxWait, "BatcherOptions.MaxWait must be between zero (send at once) and a day.");
    }
}
