using Grid.Data.Execution;
using Grid.Data.Formats;
using Grid.Wire;

namespace Grid.Data.Plan;

/// <summary>
/// A dataset's logical plan: a chain of nodes from a source, each with its input. Immutable; a Dataset is its last node.
/// Row-wise nodes (<see cref="RowNode"/>) fuse with the source or row-wise nodes before them into one task per block.
/// </summary>
internal abstract class PlanNode(PlanNode? input)
{
    public PlanNode? Input { get; } = input;
    public abstract string Name { get; }
    public override string ToString() => Input is null ? Name : $"{Input} -> {Name}";
}

internal sealed class ReadNode(FileFormat format, string path, ReadOptions options) : PlanNode(null)
{
    public FileFormat Format { get; } = format;
    public string Path { get; } = path;
    public ReadOptions Options { get; } = options;
    public override string Name => $"Read{Format}";
}

internal sealed class RangeNode(long count, int blocks) : PlanNode(null)
{
    public long Count { get; } = count;
    public int Blocks { get; } = blocks;
    public override string Name => "Range";
}

/// <summary>Blocks made in the driver (FromItems), put into the object store each time the dataset runs.</summary>
internal sealed class ItemsNode(IReadOnlyList<RecordBatch> batches) : PlanNode(null)
{
    public IReadOnlyList<RecordBatch> Batches { get; } = batches;
    public override string Name => "FromItems";
}

/// <summary>Blocks in the object store already (a materialized dataset's): runs read them, never free them.</summary>
internal sealed class BlocksNode(string name, IReadOnlyList<BlockHandle> blocks) : PlanNode(null)
{
    public IReadOnlyList<BlockHandle> Blocks { get; } = blocks;
    public override string Name => name;
}

internal sealed class RowNode(PlanNode input, StageOp op) : PlanNode(input)
{
    public StageOp Op { get; } = op;
    public override string Name => Op.Name;
}

internal sealed class ActorPoolNode(PlanNode input, FunctionDescriptor constructor, object?[] arguments, StageOp op, ActorPoolOptions pool) : PlanNode(input)
{
    public FunctionDescriptor Constructor { get; } = constructor;
    public object?[] Arguments { get; } = arguments;
    public StageOp Op { get; } = op;
    public ActorPoolOptions Pool { get; } = pool;
    public override string Name => Op.Name;
}

internal sealed class LimitNode(PlanNode input, long limit) : PlanNode(input)
{
    public long Limit { get; } = limit;
    public override string Name => $"Limit({Limit})";
}

internal enum ExchangeKind : byte { RandomShuffle, Repartition, Sort, Aggregate }

/// <summary>An all-to-all operator: it needs every input block before it puts out any.</summary>
internal sealed class ExchangeNode(PlanNode input, ExchangeKind kind, string name) : PlanNode(input)
{
    public ExchangeKind Kind { get; } = kind;
    public int? Partitions { get; init; }
    public bool Shuffle { get; init; }
    public int? Seed { get; init; }
    public SortKey[] Keys { get; init; } = [];
    public AggregateFn[] Aggregates { get; init; } = [];
    public override string Name => name;
}

internal sealed class UnionNode(IReadOnlyList<PlanNode> inputs) : PlanNode(null)
{
    public IReadOnlyList<PlanNode> Inputs { get; } = inputs;
    public override string Name => $"Union({Inputs.Count})";
    public override string ToString() => $"Union({string.Join(", ", Inputs)})";
}
