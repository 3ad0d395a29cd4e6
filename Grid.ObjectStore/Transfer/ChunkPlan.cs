namespace Grid.ObjectStore;

/// <summary>Splits an object into transfer chunks and runs one async step per chunk, a bounded number at a time.</summary>
internal readonly record struct ChunkPlan(long Size, int ChunkSize, int MaxInFlight)
{
    public long Count => (Size + ChunkSize - 1) / ChunkSize;

    /// <summary>
    /// Runs <paramref name="step"/>(offset, length) for every chunk with at most MaxInFlight running. The first
    /// failure cancels the rest, and the returned task completes only after every started step has finished, so a
    /// caller may abort the destination right after without a step still writing into it.
    /// </summary>
    public Task RunAsync(Func<long, int, CancellationToken, ValueTask> step, CancellationToken ct)
    {
        if (Size == 0) return Task.CompletedTask;
        var (size, chunkSize) = (Size, ChunkSize);
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = MaxInFlight,
            CancellationToken = ct,
            // Off any grain's scheduler: chunk copies run on the thread pool, in parallel.
            TaskScheduler = TaskScheduler.Default,
        };
        return Parallel.ForAsync(0L, Count, options, (index, token) =>
        {
            var offset = index * chunkSize;
            return step(offset, (int)Math.Min(chunkSize, size - offset), token);
        });
    }
}
