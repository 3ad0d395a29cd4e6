using Grid.Wire;

namespace Grid;

public sealed partial class GridClient
{
    /// <summary>
    /// The cluster's stored objects (values over the inline threshold) by node: id, size, owner, the owner's
    /// reference counts, and whether the copy is spilled to disk (Ray's <c>ray memory</c>; <c>grid memory</c> prints it).
    /// </summary>
    public Task<MemorySummary> MemorySummaryAsync(CancellationToken cancellationToken = default) => Memory.MemorySummaries.BuildAsync(Worker).WaitAsync(cancellationToken);
}
