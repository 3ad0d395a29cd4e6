using Grid.Data.Formats;

namespace Grid.Data;

/// <summary>How a dataset runs (Ray's DataContext). Set per dataset with <see cref="Dataset.WithOptions"/>.</summary>
public sealed record DataOptions
{
    public static DataOptions Default { get; } = new();

    /// <summary>Tasks (or actor calls) each operator may have running at once.</summary>
    public int MaxTasksInFlight { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>
    /// Bytes of blocks the whole plan may hold in the object store at once (blocks made and not yet consumed, and the
    /// outputs of running tasks as estimated from the largest block so far). Sources stop starting reads at the budget
    /// and go on as blocks are consumed. Null: a quarter of the object store a node gets by default on this machine.
    /// All-to-all operators (sort, shuffle, group-by, repartition) hold their whole input and exceed it.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>A progress bar per operator on the console: null = when standard output is a terminal.</summary>
    public bool? ShowProgress { get; init; }

    /// <summary>CPUs each data task asks for.</summary>
    public double TaskCpus { get; init; } = 1;

    /// <summary>Retries of a data task whose node died (a user function's exception is never retried: it fails the dataset).</summary>
    public int TaskMaxRetries { get; init; } = 3;

    internal long Budget => MemoryBudgetBytes ?? (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.3 * 0.25);

    internal void Validate()
    {
        if (MaxTasksInFlight < 1) throw new ArgumentOutOfRangeException(nameof(MaxTasksInFlight), MaxTasksInFlight, "At least one task in flight.");
        if (MemoryBudgetBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), MemoryBudgetBytes, "A memory budget is a positive number of bytes.");
        if (TaskCpus < 0) throw new ArgumentOutOfRangeException(nameof(TaskCpus), TaskCpus, "CPUs per task cannot be negative.");
    }
}

/// <summary>Options of a read.</summary>
public sealed record ReadOptions
{
    public static ReadOptions Default { get; } = new();

    /// <summary>Only these columns, in this order (column projection); null: all.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Parquet: one read task per row group (true) or per file.</summary>
    public bool TaskPerRowGroup { get; init; } = true;

    /// <summary>Rows per block the reads make (at most).</summary>
    public int RowsPerBlock { get; init; } = 128 * 1024;

    public CsvReadOptions? Csv { get; init; }

    /// <summary>Where the files are; null: the local file system of each node.</summary>
    public IFileSystem? FileSystem { get; init; }
}

/// <summary>The actor pool of a MapBatches (Ray's ActorPoolStrategy plus the actors' resources).</summary>
public sealed record ActorPoolOptions
{
    /// <summary>Actors started at once.</summary>
    public int MinSize { get; init; } = 1;

    /// <summary>The pool grows to this many while every actor is busy and blocks wait.</summary>
    public int MaxSize { get; init; } = 1;

    public double NumCpus { get; init; } = 1;
    public double NumGpus { get; init; }
    public IReadOnlyDictionary<string, double>? Resources { get; init; }

    /// <summary>Rows per call of the batch function; 0: a whole block per call.</summary>
    public int BatchSize { get; init; }

    /// <summary>Blocks sent to one actor before it answers (keeps it busy between batches).</summary>
    public int MaxTasksPerActor { get; init; } = 2;

    internal void Validate()
    {
        if (MinSize < 1 || MaxSize < MinSize) throw new ArgumentOutOfRangeException(nameof(MaxSize), $"An actor pool needs 1 <= MinSize <= MaxSize (got {MinSize}..{MaxSize}).");
        if (BatchSize < 0 || MaxTasksPerActor < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), "BatchSize >= 0 and MaxTasksPerActor >= 1.");
    }
}
