using Grid.Core.References;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// The owner's side of tasks with several returns (Ray's <c>num_returns</c>). Return i is an owned object of its own,
/// id <see cref="ObjectId.ForReturn"/>(task, i) (return 0 is the task's id), counted and freed on its own. The task's
/// outcome, which lists every return's payload (<see cref="ObjectPayload.Returns"/>), completes a future of its own
/// that is in no table; from it each return's entry gets its part, or the task's error. Each entry keeps the task as
/// its lineage, with its index: a lost return runs the task again and takes its part of the new outcome.
/// </summary>
internal sealed partial class CoreWorker
{
    /// <summary>
    /// Registers returns 1 to n-1 of <paramref name="spec"/> (return 0 is <paramref name="first"/>, the task's own entry),
    /// keeps the lineage of each, and completes them all once <paramref name="outcome"/> completes. Call it after the
    /// arguments are pinned on <paramref name="outcome"/>, so that the refs the outcome contains are held before a return
    /// freed at once releases its own.
    /// </summary>
    internal void RegisterReturns(TaskSpec spec, OwnedObject first, Task<ObjectPayload> outcome, int maxRetries)
    {
        var entries = new OwnedObject[spec.NumReturns];
        entries[0] = first;
        for (var i = 1; i < entries.Length; i++) entries[i] = Owned.AddPending(ObjectId.ForReturn(spec.TaskId, i));
        for (var i = 0; i < entries.Length; i++) KeepLineage(entries[i], spec, maxRetries, i);
        outcome.ContinueWith(static (done, state) =>
        {
            var (worker, entries) = ((CoreWorker, OwnedObject[]))state!;
            var payload = worker.OutcomeOf(done);
            for (var i = 0; i < entries.Length; i++) ResultDelivery.CompleteQueued(entries[i].Payload, worker.PartOf(payload, i, entries.Length));
        }, (this, entries), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// A future to run a rebuild of a task with several returns into: once it completes, <paramref name="next"/> (the lost
    /// return's) gets its part. Another return lost with the same node gets its part too; a copy the rebuild made of a
    /// return whose own copy lives elsewhere, or that was freed meanwhile, is deleted, so that nobody is left to hold it.
    /// </summary>
    internal TaskCompletionSource<ObjectPayload> RebuildReturn(TaskLineage lineage, TaskCompletionSource<ObjectPayload> next, NodeId lostOn)
    {
        var outcome = new TaskCompletionSource<ObjectPayload>();
        outcome.Task.ContinueWith(static (done, state) =>
        {
            var (worker, lineage, next, lostOn) = ((CoreWorker, TaskLineage, TaskCompletionSource<ObjectPayload>, NodeId))state!;
            var payload = worker.OutcomeOf(done);
            var count = lineage.Spec.NumReturns;
            ResultDelivery.CompleteQueued(next, worker.PartOf(payload, lineage.ReturnIndex, count));
            if (payload.Returns is not { } parts || parts.Length != count) return;
            for (var i = 0; i < count; i++)
                if (i != lineage.ReturnIndex) worker.SettleRebuiltSibling(ObjectId.ForReturn(lineage.Spec.TaskId, i), parts[i], lostOn);
        }, (this, lineage, next, lostOn), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return outcome;
    }

    private void SettleRebuiltSibling(ObjectId id, ObjectPayload part, NodeId lostOn)
    {
        if (!Owned.TryGetEntry(id, out var sibling))
        {
            if (part.Kind == PayloadKind.Stored) _ = _references.FreeOrphanAsync(id, part.Node); // freed meanwhile
            return;
        }
        if (sibling.TryStartRebuild(lostOn, static _ => null, out _, out var swapped) && swapped is not null)
        {
            ResultDelivery.CompleteQueued(swapped, part); // lost with the same node: the rebuild's copy replaces it
            return;
        }
        // Its own copy lives on another node: the rebuild's copy is one too many. A return still being rebuilt keeps it
        // (its rebuild may find that very copy on the node it runs on).
        if (part.Kind == PayloadKind.Stored && sibling.Payload.Task is { IsCompletedSuccessfully: true, Result: { Kind: PayloadKind.Stored } own } && own.Node != part.Node)
            _ = DeleteCopyAsync(id, part.Node);
    }

    private async Task DeleteCopyAsync(ObjectId id, NodeId node)
    {
        try { await Grains.GetGrain<IObjectStoreGrain>(node.Value).Delete(id).ConfigureAwait(false); }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e)) { } // gone with its node
    }

    private ObjectPayload OutcomeOf(Task<ObjectPayload> done) => done.IsCompletedSuccessfully ? done.Result
        : ObjectPayload.Failed(Serializer.ToRemoteError(done.Exception?.GetBaseException() ?? new TaskCanceledException(), null));

    /// <summary>Return <paramref name="index"/>'s payload in a task's outcome: its part, or the task's error.</summary>
    private ObjectPayload PartOf(ObjectPayload outcome, int index, int count) =>
        outcome.Returns is { } parts && parts.Length == count ? parts[index]
        : outcome.Kind == PayloadKind.Error ? outcome
        : ObjectPayload.Failed(Serializer.ToRemoteError(new ReturnCountMismatchException(
            $"A task declared {count} returns but its outcome lists {outcome.Returns?.Length ?? 1}; this is a Grid bug.", count, outcome.Returns?.Length ?? 1), null));
}
