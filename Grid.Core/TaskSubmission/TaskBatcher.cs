using Grid.Grains;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// Coalesces the tasks a process submits in one burst into one raylet call
/// (<see cref="IRayletGrain.SubmitTasks"/>): a grain call costs more than running a tiny task, and a
/// loop of <c>f.Remote()</c> is the common way to submit (see <see cref="BurstQueue{T}"/>). Each task keeps its own
/// result, error and retries, and results still arrive one by one as tasks finish.
/// </summary>
internal sealed class TaskBatcher(CoreWorker worker)
{
    private readonly BurstQueue<PendingTask> _queue = new((batch, release) => Spread(worker, batch, release));

    public void Enqueue(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result) =>
        _queue.Enqueue(new PendingTask(spec, maxRetries, result));

    /// <summary>
    /// Each task still gets its own node pick (a client spreads its tasks over the cluster round robin,
    /// as it did task by task); the tasks bound for one node go in one call.
    /// </summary>
    private static void Spread(CoreWorker worker, List<PendingTask> batch, Action release)
    {
        var first = worker.Selector.Pick();
        List<PendingTask>? here = null;
        Dictionary<NodeId, List<PendingTask>>? elsewhere = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var node = i == 0 ? first : worker.Selector.Pick();
            if (node == first) (here ??= new List<PendingTask>(batch.Count)).Add(batch[i]);
            else
            {
                elsewhere ??= [];
                if (!elsewhere.TryGetValue(node, out var list)) elsewhere[node] = list = [];
                list.Add(batch[i]);
            }
        }
        if (elsewhere is null)
        {
            _ = SendAsync(worker, first, batch, release);
            return;
        }
        // The queue's slot is released once every node's part is answered.
        var parts = elsewhere.Count + 1;
        void PartDone() { if (Interlocked.Decrement(ref parts) == 0) release(); }
        _ = SendAsync(worker, first, here!, PartDone);
        foreach (var (node, tasks) in elsewhere) _ = SendAsync(worker, node, tasks, PartDone);
    }

    private static async Task SendAsync(CoreWorker worker, NodeId node, List<PendingTask> batch, Action release)
    {
        if (batch.Count == 1)
        {
            // A lone task (a synchronous caller) goes as a plain call: a stream costs more than it saves for one.
            var p = batch[0];
            try { await worker.Tasks.SubmitSingleAsync(p.Spec, node, p.MaxRetries, p.Result, release).ConfigureAwait(false); }
            catch (Exception e) { p.Result.TrySetResult(worker.Tasks.FailedSubmission(p.Spec, e)); }
            return;
        }
        var specs = new TaskSpec[batch.Count];
        for (var i = 0; i < specs.Length; i++) specs[i] = batch[i].Spec;
        var released = false;
        void Release()
        {
            if (released) return;
            released = true;
            release();
        }
        // An answered task is done here, whether its answer was its result or a loss that it retries on its own.
        var answered = new bool[batch.Count];
        try
        {
            // Each step of the stream is raced against the node's death: a stream whose node died may never end.
            var death = worker.DeathOf(node);
            var outcomes = worker.RayletOf(node).SubmitTasks(specs).WithBatchSize(BurstQueue<PendingTask>.MaxBatch).GetAsyncEnumerator();
            while (await outcomes.MoveNextAsync().AsTask().WaitAsync(death).ConfigureAwait(false))
            {
                var outcome = outcomes.Current;
                var p = batch[outcome.Index];
                answered[outcome.Index] = true;
                worker.Tasks.Complete(p.Spec, p.MaxRetries, p.Result, outcome.Payload);
            }
            Release();
            await outcomes.DisposeAsync().ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
                if (!answered[i] && batch[i] is var p)
                    p.Result.TrySetResult(worker.Tasks.FailedSubmission(p.Spec, new InvalidOperationException($"Node {node} ended a batch without the result of task {p.Spec.DisplayName}; this is a Grid bug.")));
        }
        catch (OperationCanceledException) when (!worker.IsKnownDead(node))
        {
            Release();
            // Another node's death may have cut the stream in transit (its gateway died): each unanswered task goes
            // again, alone, to the same node, which answers with the task it already runs.
            for (var i = 0; i < batch.Count; i++)
                if (!answered[i] && batch[i] is var p)
                    _ = worker.Tasks.ResendAsync(p.Spec, p.MaxRetries, p.Result, node);
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e) || e is OperationCanceledException)
        {
            Release();
            // Ending the stream would be one more call to a dead node: leave the enumerator to Orleans.
            // The node died with part of the batch: each unfinished task retries on its own, as a single submission would.
            for (var i = 0; i < batch.Count; i++)
                if (!answered[i] && batch[i] is var p)
                    _ = worker.Tasks.RetryLostTaskAsync(p.Spec, p.MaxRetries, p.Result, node, e.Message);
        }
        catch (Exception e)
        {
            Release();
            for (var i = 0; i < batch.Count; i++)
                if (!answered[i]) batch[i].Result.TrySetResult(worker.Tasks.FailedSubmission(batch[i].Spec, e));
        }
    }

    private readonly record struct PendingTask(TaskSpec Spec, int MaxRetries, TaskCompletionSource<ObjectPayload> Result);
}
