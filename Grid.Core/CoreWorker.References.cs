using Grid.Core.Diagnostics;
using Grid.Core.References;
using Grid.Grains;
using Grid.Serialization;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>Reference counting: what keeps this process's objects alive, and what it holds of others' (see <see cref="ReferenceCounter"/>).</summary>
internal sealed partial class CoreWorker
{
    [ThreadStatic] private static List<ObjectRef>? t_nestedScratch;
    [ThreadStatic] private static List<ObjectRef>? t_argumentScratch;

    /// <summary>An empty per-thread list to collect the refs nested in a submission's arguments (no allocation per task).</summary>
    internal static List<ObjectRef> NestedArgumentScratch()
    {
        var scratch = t_argumentScratch ??= [];
        scratch.Clear();
        return scratch;
    }

    /// <summary>What the scratch list collected, as a list of its own; null when nothing (the common case).</summary>
    internal static List<ObjectRef>? TakeNested(List<ObjectRef> scratch)
    {
        if (scratch.Count == 0) return null;
        List<ObjectRef> nested = [.. scratch];
        scratch.Clear();
        return nested;
    }
    private readonly CancellationTokenSource _mailboxStop = new();

    /// <summary>
    /// A client owner hears from its borrowers through its mailbox grain (silo-to-client calls are not relied on):
    /// this polls it until the job ends. Silos need none (their owner endpoint is a grain).
    /// </summary>
    public void StartOwnerMailbox() => _ = PollOwnerMailboxAsync(_mailboxStop.Token);

    private async Task PollOwnerMailboxAsync(CancellationToken stop)
    {
        var mailbox = Grains.GetGrain<IOwnerMailboxGrain>(OwnerAddress.ToString());
        long applied = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var batch = await mailbox.Take(applied, TimeSpan.FromSeconds(10)).WaitAsync(stop).ConfigureAwait(false);
                _references.Apply(batch.Notices);
                applied = batch.Last; // acknowledged by the next take, which follows at once
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                CoreLog.BorrowerNoticesFailed(_logger, e, OwnerAddress);
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // back off before retrying
            }
            catch (OperationCanceledException) { }
        }
    }

    bool IReferenceTracker.AddLocalReference(ObjectId id, GrainId owner) => _references.AddLocal(id, owner);

    void IReferenceTracker.RemoveLocalReference(ObjectId id, GrainId owner) => _references.RemoveLocal(id, owner);

    /// <summary>Objects this process borrows from other owners (refs to them are alive here).</summary>
    public int BorrowedObjectCount => _references.BorrowedCount;

    /// <summary>Owner side: <paramref name="borrower"/> holds refs to <paramref name="id"/> now; false when the object is gone.</summary>
    public bool AddBorrower(ObjectId id, GrainId borrower) => _references.AddBorrower(id, borrower);

    /// <summary>Owner side: <paramref name="borrower"/> dropped its refs to <paramref name="id"/>.</summary>
    public void RemoveBorrower(ObjectId id, GrainId borrower) => _references.RemoveBorrower(id, borrower);

    /// <summary>Owner side: a borrowing process died; drops what it held. Returns how many objects that freed.</summary>
    public int DropBorrower(GrainId borrower) => _references.DropBorrower(borrower);

    /// <summary>
    /// A node left the cluster (membership declared it dead, or it stopped), as this process's view of the
    /// cluster learned it: calls in flight to it end now (their work is resubmitted as retries allow), and
    /// what its core worker borrowed from this owner is released.
    /// </summary>
    public void OnNodeDied(NodeId node)
    {
        if (Deaths.Died(node)) Log.NodeDied(_logger, node);
        DropBorrowersOnNode(node);
    }

    /// <summary>
    /// Whatever <paramref name="node"/>'s core worker borrowed from this owner (refs its tasks and actors held) is
    /// released. Returns how many objects that freed.
    /// </summary>
    private int DropBorrowersOnNode(NodeId node)
    {
        var freed = _references.DropBorrower(Grains.GetGrain<INodeOwnerGrain>(node.Value).GetGrainId());
        if (freed > 0) CoreLog.DeadNodeRefsFreed(_logger, node, freed);
        return freed;
    }

    /// <summary>This owner's reference counts of those of <paramref name="ids"/> it still owns.</summary>
    public ReferenceCounts[] GetReferenceCounts(IEnumerable<ObjectId> ids) => _references.Counts(ids);

    /// <summary>Counts of every object this process owns (the local part of a memory summary).</summary>
    public ReferenceCounts[] GetReferenceCounts() => _references.Counts(Owned.Entries.Select(e => e.Id));

    /// <summary>
    /// Waits until the owners of refs this process started borrowing have registered it. A task's reply waits for
    /// this, so its submitter (which holds the arguments until the reply) never releases them before the owner
    /// knows that this process holds them too. Completes at once when nothing is in flight (the common case).
    /// </summary>
    public ValueTask FlushBorrowRegistrationsAsync() => _references.FlushRegistrationsAsync();

    /// <summary>Holds the ref arguments of a submitted task or call (top level and nested) until <paramref name="completion"/> finishes.</summary>
    internal void PinArguments(Task completion, TaskArg[] args, List<ObjectRef>? nested) => _references.PinUntil(completion, args, nested);

    /// <summary>
    /// Job end: frees every object this process owns on every node (waiting at most <paramref name="timeout"/>) and
    /// stops borrowing others'. Afterwards this owner answers <see cref="OwnerDiedException"/> for its objects.
    /// </summary>
    public async Task ShutdownReferencesAsync(TimeSpan timeout)
    {
        await _references.ShutdownAsync(timeout).ConfigureAwait(false);
        await _mailboxStop.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Serializes a value, also returning the distinct refs nested inside it (null when none, the common case).</summary>
    private (byte[] Bytes, ObjectRefData[]? Contained) SerializeCollectingRefs(object? value, Type type)
    {
        var scratch = t_nestedScratch ??= [];
        scratch.Clear();
        byte[] bytes;
        using (NestedRefCollector.Begin(scratch)) bytes = Serializer.Serialize(value, type);
        if (scratch.Count == 0) return (bytes, null);
        var contained = scratch.Select(r => r.ToData()).DistinctBy(r => r.Id).ToArray();
        scratch.Clear();
        return (bytes, contained);
    }
}
