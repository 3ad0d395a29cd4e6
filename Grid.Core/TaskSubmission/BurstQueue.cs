namespace Grid.Core;

/// <summary>
/// Collects items submitted in one burst and hands them on as one list. An item submitted while
/// nothing of this queue is in flight goes out at once, alone (a synchronous caller pays no extra
/// hop). Items submitted while earlier ones are in flight wait for a flush scheduled behind the
/// submitting code (a thread-pool item queued locally, so a loop of submissions usually finishes,
/// and fills the batch, before it runs). A burst larger than <see cref="MaxBatch"/> goes out as
/// several lists, in order.
/// </summary>
/// <param name="send">Sends a list; calls the given release action once it is answered (before publishing results, so the caller's next submission sees the queue idle).</param>
internal sealed class BurstQueue<T>(Action<List<T>, Action> send)
{
    /// <summary>The most items one list carries.</summary>
    public const int MaxBatch = 256;

    private readonly Lock _lock = new();
    private List<T> _pending = [];
    private bool _flushScheduled;
    private int _inFlight;

    /// <summary>A release action for one send: the first call frees its slot, later calls do nothing.</summary>
    private Action Release => new Slot(this).Release;

    private sealed class Slot(BurstQueue<T> queue)
    {
        private int _released;
        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref queue._inFlight);
        }
    }

    public void Enqueue(T item)
    {
        lock (_lock)
        {
            if (_inFlight > 0 || _flushScheduled)
            {
                _pending.Add(item);
                if (_flushScheduled) return;
                _flushScheduled = true;
                ThreadPool.UnsafeQueueUserWorkItem(static q => q.Flush(), this, preferLocal: true);
                return;
            }
            _inFlight++;
        }
        send([item], Release);
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
                Interlocked.Increment(ref _inFlight);
            }
            // Lists go out in order: each send starts its call before this loop takes the next list.
            send(batch, Release);
        }
    }
}
