using Grid.Data.Formats;
using Grid.Wire;

namespace Grid.Data.Execution;

/// <summary>The row-wise operators a task runs on each block, fused in order (what the driver sends a data task).</summary>
internal sealed class StageSpec
{
    public StageOp[] Ops { get; init; } = [];
}

internal enum StageOpKind : byte
{
    Map, Filter, FlatMap, MapBatches, MapRowBatches, AddColumn, SelectColumns, DropColumns, RenameColumns, Write, ActorBatches, ActorRowBatches,
}

/// <summary>
/// One row-wise operator: its kind and name (for stats and errors), the user function (a static method or a lambda
/// that captures nothing, by descriptor), and the kind's parameters.
/// </summary>
internal sealed class StageOp
{
    public StageOpKind Kind { get; init; }
    public string Name { get; init; } = "";
    public FunctionDescriptor? Function { get; init; }
    public string[]? Columns { get; init; }
    public string? Column { get; init; }
    /// <summary>Rows per call of a batch function; 0: the whole block.</summary>
    public int BatchSize { get; init; }
    public WriteSpec? Write { get; init; }
}

/// <summary>Where a write puts each block: a file <c>{Prefix}_{block:D6}_{part:D3}{extension}</c> under <see cref="Directory"/>.</summary>
internal sealed class WriteSpec
{
    public FileFormat Format { get; init; }
    public string Directory { get; init; } = "";
    public string Prefix { get; init; } = "";
}

internal enum SourceKind : byte { Files, Range }

/// <summary>One read task's share of a source: a file fragment or a range of integers.</summary>
internal sealed class SourceSpec
{
    public SourceKind Kind { get; init; }
    public FileFormat Format { get; init; }
    public ReadFragment? Fragment { get; init; }
    public string[]? Columns { get; init; }
    public CsvReadOptions? Csv { get; init; }
    public long RangeStart { get; init; }
    public long RangeCount { get; init; }
    public int RowsPerBlock { get; init; }
}
