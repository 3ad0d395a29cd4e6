using Grid.Grains;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// Coalesces the tasks a process submits in one burst into one raylet call
/// (<see cref="IRayletGrain.SubmitTasks"/>): a grain call costs more than running a tiny task, and a
/// loop of <c>f.Remote()</c> is the common way to submit. The first task of a burst schedules a flush
/// behind the submitting code; tasks submitted until it runs ride along. Each task keeps its own
/// result, error and retries, and results still arrive one by one as tasks finish.
/// </summary>
internal sealed class TaskBatcher(CoreWorker worker)
{
    /// <summary>The most tasks one call carries; a larger burst goes out as several calls.</summary>
    public const int MaxBatch = 256;

    private readonly Lock _lock = new();
    private List<PendingTask> _pending = [];
    private bool _flushScheduled;

    public void Enqueue(TaskSpec spec, int maxRetries, TaskCompletionSource<ObjectPayload> result)
    {
        lock (_lock)
        {
            _pending.Add(new PendingTask(spec, maxRetries, result));
            if (_flushScheduled) return;
            _flushScheduled = true;
        }
        // preferLocal: the flush queues behind the submitter's own work item, so a loop of submissions
        // usually finishes (and fills the batch) before it runs.
        ThreadPool.UnsafeQueueUserWorkItem(static b => b.Flush(), this, preferLocal: true);
    }

    private void Flush()
    {
        while (true)
        {
            List<PendingTask> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _flushScheduled = false;
                    return;
                }
                if (_pending.Count <= MaxBatch)
                {
                    batch = _pending;
                    _pending = [];
                }
                else
                {
                    batch = _pending.GetRange(0, MaxBatch);
                    _pending.RemoveRange(0, MaxBatch);
                }
            }
            _ = SendAsync(batch);
        }
    }

    public static long Batches, Tasks;
    private async Task SendAsync(List<PendingTask> batch)
    {
        var nb = Interlocked.Increment(ref Batches); var nt = Interlocked.Add(ref Tasks, batch.Count);
        if (nb % 500 == 0) Console.Error.WriteLine($"DEBUG batches {nb} tasks {nt} avg {(double)nt / nb:F1}");
        var node = worker.Selector.Pick();
        if (batch.Count == 1)
        {
            // A lone task (a synchronous caller) goes as a plain call: a stream costs more than it saves for one.
            var p = batch[0];
            try { await worker.SubmitSingleAsync(p.Spec, p.MaxRetries, p.Result).ConfigureAwait(false); }
            catch (Exception e) { p.Result.TrySetResult(worker.FailedSubmission(p.Spec, e)); }
            return;
        }
        var specs = new TaskSpec[batch.Count];
        for (var i = 0; i < specs.Length; i++) specs[i] = batch[i].Spec;
        try
        {
            var outcomes = worker.Grains.GetGrain<IRayletGrain>(node.Value).SubmitTasks(specs).WithBatchSize(MaxBatch);
            await foreach (var outcome in outcomes.ConfigureAwait(false))
                batch[outcome.Index].Result.TrySetResult(outcome.Payload);
            foreach (var p in batch)
                if (!p.Result.Task.IsCompleted)
                    p.Result.TrySetResult(worker.FailedSubmission(p.Spec, new InvalidOperationException($"Node {node} ended a batch without the result of task {p.Spec.DisplayName}; this is a Grid bug.")));
        }
        catch (Exception e) when (FailureClassifier.IsNodeFailure(e))
        {
            // The node died with part of the batch: each unfinished task retries on its own, as a single submission would.
            foreach (var p in batch)
                if (!p.Result.Task.IsCompleted)
                    _ = worker.RetryLostTaskAsync(p.Spec, p.MaxRetries, p.Result, node, e);
        }
        catch (Exception e)
        {
            foreach (var p in batch)
                if (!p.Result.Task.IsCompleted) p.Result.TrySetResult(worker.FailedSubmission(p.Spec, e));
        }
    }

    private readonly record struct PendingTask(TaskSpec Spec, int MaxRetries, TaskCompletionSource<ObjectPayload> Result);
}
