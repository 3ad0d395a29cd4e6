using Grid.Wire;

namespace Grid.Core.References;

/// <summary>
/// The lineage of one owned object (Ray's lineage for reconstruction): the task that made it, kept by its owner while
/// the object lives so that a lost stored value can be made again. Only the spec is kept, not the arguments' values:
/// a ref argument is rebuilt in turn when it is lost too, but one that was freed (no ref to it remained) cannot be,
/// and the rebuild then fails with <see cref="ObjectLostException"/> naming it.
/// </summary>
internal sealed class TaskLineage(TaskSpec spec, int maxRetries, int bytes, int returnIndex = 0)
{
    public TaskSpec Spec { get; } = spec;
    /// <summary>The task's <c>MaxRetries</c>: each rebuild is one of them (-1: rebuild as often as lost).</summary>
    public int MaxRetries { get; } = maxRetries;
    /// <summary>What this lineage counts against <see cref="OwnedObjects.MaxLineageBytes"/>.</summary>
    public int Bytes { get; } = bytes;
    /// <summary>Which of the task's returns the object is (<see cref="ObjectId.ForReturn"/>); 0 for a task of one return.</summary>
    public int ReturnIndex { get; } = returnIndex;
    /// <summary>Rebuilds started so far; guarded by the owning entry.</summary>
    public int Rebuilds { get; set; }

    public bool CanRebuildAgain => MaxRetries < 0 || Rebuilds < MaxRetries;

    /// <summary>A spec's footprint on the heap: its inline argument bytes and a fixed part for the rest.</summary>
    public static int SizeOf(TaskSpec spec)
    {
        var bytes = 256;
        foreach (var a in spec.Args) bytes += a.Inline?.Length ?? 64;
        return bytes;
    }
}
