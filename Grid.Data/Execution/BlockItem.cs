namespace Grid.Data.Execution;

/// <summary>
/// What a data task yields, Ray's generator protocol: each output block as one item, then its metadata as the next.
/// The driver reads only the metadata items (small, inline) and passes the block items' refs on, so blocks stay on
/// the node that made them until a task that needs them reads them there (zero-copy) or fetches them.
/// </summary>
internal sealed class BlockItem
{
    public RecordBatch? Block { get; init; }
    public BlockMeta? Meta { get; init; }
}

/// <summary>
/// A block's metadata: rows, bytes, the node holding it, the files a write made of it, and per operator of the task's
/// fused stage the rows it put out and the seconds it took for this block.
/// </summary>
internal sealed class BlockMeta
{
    public int Rows { get; init; }
    public long Bytes { get; init; }
    public NodeId Node { get; init; }
    /// <summary>True for a task's last item when it made no block (all rows filtered out, or a write).</summary>
    public bool Empty { get; init; }
    public string[]? Files { get; init; }
    public long[] OpRows { get; init; } = [];
    public double[] OpSeconds { get; init; } = [];
}
