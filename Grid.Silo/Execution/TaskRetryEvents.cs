using System.Collections.Concurrent;
using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Execution;

/// <summary>
/// Records the exception retries of the work this node runs (see <see cref="UserCode"/>): a log line, and a task event
/// of kind <see cref="TaskEventKind.Retried"/> in the GCS with the new attempt's number. Events are written in batches,
/// one write at a time, never on the run's path: a burst of retries costs a write or two.
/// </summary>
internal sealed partial class TaskRetryEvents(IGcs gcs, NodeRuntime node, ILogger<TaskRetryEvents> logger)
{
    private static readonly System.Diagnostics.Metrics.Counter<long> Retries = Core.CoreWorker.Meter.CreateCounter<long>("grid.tasks.exception_retries");

    private readonly ConcurrentQueue<TaskEvent> _pending = new();
    private int _writing;

    /// <param name="attempt">The attempt about to run (1 the first retry).</param>
    public void Retrying(ObjectId task, JobId job, FailureOrigin origin, int attempt, int maxRetries, Exception error)
    {
        Retries.Add(1);
        var type = error.GetType().FullName ?? error.GetType().Name;
        // The exception's type only: its message is the caller's to read, and may carry what should not be logged.
        Log.Retrying(logger, origin.ToString(), type, attempt, maxRetries);
        _pending.Enqueue(new TaskEvent
        {
            TaskId = task, Job = job, Function = origin.Name, Kind = TaskEventKind.Retried, Node = node.NodeId,
            Time = DateTimeOffset.UtcNow, Error = $"{type}: {error.Message}", Attempt = attempt,
        });
        if (Interlocked.Exchange(ref _writing, 1) == 0) _ = Task.Run(WriteAsync);
    }

    private async Task WriteAsync()
    {
        while (true)
        {
            List<TaskEvent> batch = [];
            while (_pending.TryDequeue(out var e)) batch.Add(e);
            if (batch.Count > 0)
            {
                try { await gcs.AddTaskEventsAsync(batch).ConfigureAwait(false); }
                catch (Exception e) when (e is not OutOfMemoryException) { Log.EventsNotWritten(logger, e, batch.Count); }
            }
            Volatile.Write(ref _writing, 0);
            // An event queued after the drain and before the flag dropped found a writer still running: take it.
            if (_pending.IsEmpty || Interlocked.Exchange(ref _writing, 1) != 0) return;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2031, Level = LogLevel.Information, Message = "{Origin} threw {ExceptionType}, which it retries; attempt {Attempt} starts (MaxRetries {MaxRetries})")]
        public static partial void Retrying(ILogger logger, string origin, string exceptionType, int attempt, int maxRetries);

        [LoggerMessage(EventId = 2032, Level = LogLevel.Warning, Message = "Could not write {Count} task retry events to the GCS; they are dropped")]
        public static partial void EventsNotWritten(ILogger logger, Exception error, int count);
    }
}
