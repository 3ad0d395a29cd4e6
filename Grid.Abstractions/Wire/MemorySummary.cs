namespace Grid.Wire;

/// <summary>One object in one node's store, as the store describes it (a row of the memory summary before owners are asked).</summary>
[GenerateSerializer, Immutable]
internal sealed record StoredObjectRecord(
    [property: Id(0)] ObjectId Id,
    [property: Id(1)] long Size,
    [property: Id(2)] bool Spilled,
    [property: Id(3)] int Readers,
    [property: Id(4)] string? Owner);

/// <summary>
/// What keeps an object alive, as its owner counts it: ObjectRef instances in the owner process, pending tasks and
/// actor calls that take it as an argument, and other processes (or stored objects) that borrowed it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReferenceCounts(
    [property: Id(0)] ObjectId Id,
    [property: Id(1)] int Local,
    [property: Id(2)] int Submitted,
    [property: Id(3)] int Borrowers)
{
    public int Total => Local + Submitted + Borrowers;
}

/// <summary>One copy of an object on one node (Ray's <c>ray memory</c> row).</summary>
/// <param name="Node">The node that holds this copy.</param>
/// <param name="Id">The object.</param>
/// <param name="Size">The copy's size in bytes.</param>
/// <param name="Owner">The owner endpoint of the object (the process that created it); null when no node knows it.</param>
/// <param name="References">The owner's counts; null when the owner did not answer (it died, or freed the object meanwhile).</param>
/// <param name="Spilled">The copy is in the node's spill directory, not in its memory.</param>
public sealed record MemoryRow(NodeId Node, ObjectId Id, long Size, string? Owner, ReferenceCounts? References, bool Spilled);

/// <summary>The cluster's stored objects by node, with sizes, owners and reference counts.</summary>
public sealed record MemorySummary(IReadOnlyList<MemoryRow> Rows)
{
    public long TotalBytes => Rows.Sum(r => r.Size);
    public long SpilledBytes => Rows.Where(r => r.Spilled).Sum(r => r.Size);
}
