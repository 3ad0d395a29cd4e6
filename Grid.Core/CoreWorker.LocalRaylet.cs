using Grid.Wire;

namespace Grid.Core;

/// <summary>Submission to the raylet in this process (see <see cref="ILocalRaylet"/>).</summary>
internal sealed partial class CoreWorker
{
    private ILocalRaylet? _localRaylet;

    /// <summary>Called by the node this worker belongs to once its raylet runs.</summary>
    public void AttachLocalRaylet(ILocalRaylet raylet)
    {
        if (LocalNode is null) throw new InvalidOperationException("Only a node's own core worker has a local raylet.");
        _localRaylet = raylet;
    }

    /// <summary>The local raylet when <paramref name="node"/> is this process's node.</summary>
    private ILocalRaylet? LocalRayletFor(NodeId node) => _localRaylet is { } r && node == LocalNode ? r : null;

    /// <summary>
    /// Runs a task on the local raylet and publishes its result from the thread that finished it: no
    /// message, no batch. The local raylet cannot be lost the way a remote node can, but a node it
    /// forwarded the task to can: that answer goes back to the retry loop (<see cref="Complete"/>).
    /// </summary>
    private void SubmitLocal(ILocalRaylet raylet, TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result)
    {
        Task<ObjectPayload> running;
        try
        {
            running = raylet.SubmitAsync(spec);
        }
        catch (Exception e)
        {
            result.TrySetResult(FailedSubmission(spec, e));
            return;
        }
        if (running.IsCompleted) Publish(running, this, spec, maxRetries, result);
        else running.ContinueWith(static (t, state) =>
        {
            var (worker, spec, maxRetries, result) = ((CoreWorker, TaskSpec, int, TaskCompletionSource<ObjectPayload>))state!;
            Publish(t, worker, spec, maxRetries, result);
        }, (this, spec, maxRetries, result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        static void Publish(Task<ObjectPayload> t, CoreWorker worker, TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result)
        {
            // Like a lone call's response: the task's own thread is free now (its lease is released).
            if (t.IsCompletedSuccessfully) worker.Complete(spec, maxRetries, result, t.Result);
            else result.TrySetResult(worker.FailedSubmission(spec, t.Exception?.GetBaseException() ?? new TaskCanceledException()));
        }
    }
}
