namespace Grid.Core;

/// <summary>
/// Collects items submitted in one burst and hands them on as one list. The first item of a burst
/// schedules a flush behind the submitting code (a thread-pool item queued locally, so a loop of
/// submissions usually finishes, and fills the batch, before it runs); items submitted until then
/// ride along. A burst larger than <see cref="MaxBatch"/> goes out as several lists, in order.
/// </summary>
internal sealed class BurstQueue<T>(Action<List<T>> send)
{
    /// <summary>The most items one list carries.</summary>
    public const int MaxBatch = 256;

    private readonly Lock _lock = new();
    private List<T> _pending = [];
    private bool _flushScheduled;

    public void Enqueue(T item)
    {
        lock (_lock)
        {
            _pending.Add(item);
            if (_flushScheduled) return;
            _flushScheduled = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static q => q.Flush(), this, preferLocal: true);
    }

    private void Flush()
    {
        while (true)
        {
            List<T> batch;
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
            // Lists go out in order: each send starts its call before this loop takes the next list.
            send(batch);
        }
    }
}
