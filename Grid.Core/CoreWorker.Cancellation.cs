using Grid.Grains;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// Cancellation (Ray's <c>ray.cancel</c>), as the owner of a result asks for it. A task may be anywhere — still here,
/// in transit, queued or running on any node — so every live node is told: the node that has it cancels it (a
/// queued task is dropped, a running one sees its token), and the others remember the id for a while, so a task
/// that arrives after the cancel never runs. A task nobody reports running is failed here at once; a running one
/// is failed by its node when it stops, or at once with <c>force</c>. An actor call goes to its actor's host (see
/// <see cref="ActorTaskSubmitter.CancelAsync"/>).
/// </summary>
internal sealed partial class CoreWorker
{
    /// <summary>Cancels the task or actor call whose result is <paramref name="id"/>; nothing happens if it has finished.</summary>
    public async Task CancelAsync(ObjectId id, bool force, bool recursive, CancellationToken cancellationToken)
    {
        if (!Owned.TryGetEntry(id, out var entry))
            throw new ArgumentException(
                $"{id} is not the result of a task or actor call this process submitted: only the submitter can cancel a task (as in Ray). Cancel it where it was submitted.",
                nameof(id));
        var result = entry.Payload;
        if (result.Task.IsCompleted) return; // finished, failed or cancelled already: nothing to do
        if (entry.MadeBy is { } actor)
        {
            await Actors.CancelAsync(id, actor, force).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var nodes = await Grains.GetGrain<IGcsGrain>(0).GetNodes().WaitAsync(cancellationToken).ConfigureAwait(false);
        var told = nodes.Where(n => n.State == NodeState.Alive).Select(async n =>
        {
            try { return await CallNodeAsync(n.NodeId, RayletOf(n.NodeId).CancelTask(id, force, recursive)).ConfigureAwait(false); }
            catch (Exception e) when (FailureClassifier.IsNodeFailure(e) || e is CallInterruptedException) { return CancelOutcome.NotHere; } // gone with its tasks
        });
        var outcomes = await Task.WhenAll(told).WaitAsync(cancellationToken).ConfigureAwait(false);
        // A running task's node answers when the task stops (force: at once); anything else ends here and now.
        if (!force && outcomes.Contains(CancelOutcome.Running)) return;
        result.TrySetResult(Cancelled(id, "it was cancelled before it ran"));
    }

    /// <summary>The result of a cancelled task or call.</summary>
    public ObjectPayload Cancelled(ObjectId id, string how) =>
        ObjectPayload.Failed(Serializer.ToRemoteError(new TaskCancelledException($"Task {id} was cancelled ({how}); its result will not be computed. Submit it again if it is still needed."), null));
}
