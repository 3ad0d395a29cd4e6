namespace Grid.Batching;

/// <summary>
/// The queue behind a <see cref="Batcher{TIn, TOut}"/>: items wait in arrival order and leave from the front in
/// batches. A batch is due when <c>maxBatchSize</c> items wait, or when <c>maxWait</c> has passed since the item at the
/// front arrived; it then takes up to <c>maxBatchSize</c> items. An item that has not left can be removed (its caller
/// cancelled). Thread-safe; one consumer at a time calls <see cref="NextBatchAsync"/>. No timer runs unless a partial
/// batch is waiting for its deadline, and then only one.
/// </summary>
internal sealed class BatchQueue<T>
{
    /// <summary>An item in the queue, as returned by <see cref="TryAdd"/>: what <see cref="TryRemove"/> takes.</summary>
    public sealed class Entry
    {
        internal Entry(T item, long arrived) => (Item, Arrived) = (item, arrived);
        public T Item { get; }
        internal long Arrived { get; }
        internal LinkedListNode<Entry>? Node { get; set; } // null once it left (in a batch, removed, or closed)
    }

    private readonly Lock _lock = new();
    private readonly LinkedList<Entry> _items = new();
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _time;
    private TaskCompletionSource? _wake; // the consumer waits on it: set when a batch may have become due, or on close
    private bool _closed;

    public BatchQueue(int maxBatchSize, TimeSpan maxWait, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        (_maxBatchSize, _maxWait, _time) = (maxBatchSize, maxWait, time);
    }

    /// <summary>The items waiting.</summary>
    public int Count
    {
        get { lock (_lock) return _items.Count; }
    }

    /// <summary>Queues an item at the back; false (nothing queued) once the queue is closed.</summary>
    public bool TryAdd(T item, out Entry entry)
    {
        entry = new Entry(item, _time.GetTimestamp());
        TaskCompletionSource? wake = null;
        lock (_lock)
        {
            if (_closed) return false;
            entry.Node = _items.AddLast(entry);
            // The first item starts a deadline; a full batch is due now. Other adds change nothing the consumer waits for.
            if (_items.Count == 1 || _items.Count >= _maxBatchSize) (wake, _wake) = (_wake, null);
        }
        wake?.TrySetResult();
        return true;
    }

    /// <summary>Removes an item that has not left yet; false when it already left (in a batch) or the queue closed.</summary>
    public bool TryRemove(Entry entry)
    {
        lock (_lock)
        {
            if (entry.Node is not { } node) return false;
            _items.Remove(node);
            entry.Node = null;
        }
        // The consumer needs no wake-up: a deadline that moved later is found when the old one passes.
        return true;
    }

    /// <summary>
    /// Waits until a batch is due and takes it (its items in arrival order), or returns null once the queue is closed.
    /// One caller at a time. Continuations run where the caller awaits (its scheduler).
    /// </summary>
    public async Task<IReadOnlyList<T>?> NextBatchAsync()
    {
        while (true)
        {
            Task wake;
            TimeSpan wait;
            lock (_lock)
            {
                if (_closed) return null;
                if (_items.Count >= _maxBatchSize) return Take();
                if (_items.Count > 0)
                {
                    wait = _maxWait - _time.GetElapsedTime(_items.First!.Value.Arrived);
                    if (wait <= TimeSpan.Zero) return Take();
                }
                else wait = Timeout.InfiniteTimeSpan;
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake = _wake.Task;
            }
            if (wait == Timeout.InfiniteTimeSpan)
            {
                await wake;
                continue;
            }
            using var stop = new CancellationTokenSource();
            var deadline = Task.Delay(wait, _time, stop.Token);
            if (await Task.WhenAny(wake, deadline) == wake) stop.Cancel(); // frees the timer
        }
    }

    /// <summary>Under the lock: the first items, up to a batch.</summary>
    private List<T> Take()
    {
        var batch = new List<T>(Math.Min(_items.Count, _maxBatchSize));
        while (batch.Count < _maxBatchSize && _items.First is { } first)
        {
            _items.RemoveFirst();
            first.Value.Node = null;
            batch.Add(first.Value.Item);
        }
        return batch;
    }

    /// <summary>
    /// Closes the queue: later adds are refused, the consumer's wait returns null, and the items still waiting are
    /// returned (in arrival order) for the owner to fail. Closing again returns nothing.
    /// </summary>
    public IReadOnlyList<T> Close()
    {
        TaskCompletionSource? wake;
        List<T> left;
        lock (_lock)
        {
            if (_closed) return [];
            _closed = true;
            left = [.. _items.Select(e => e.Item)];
            foreach (var entry in _items) entry.Node = null;
            _items.Clear();
            (wake, _wake) = (_wake, null);
        }
        wake?.TrySetResult();
        return left;
    }
}
