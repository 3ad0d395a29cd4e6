namespace Grid;

/// <summary>What a queue actor's call came to: done (an item, or space for one), timed out, cancelled, full or empty.</summary>
internal enum QueueOutcome : byte
{
    Done,
    TimedOut,
    Cancelled,
    Full,
    Empty,
}

/// <summary>A queue actor's answer: the outcome, and for a get that succeeded the item (for a batch get, the items).</summary>
internal sealed record QueueReply<T>(QueueOutcome Outcome, T? Item = default, List<T>? Items = null);

/// <summary>
/// The actor behind a <see cref="GridQueue{T}"/> (Ray's <c>_QueueActor</c>): a FIFO of items with, when it is bounded,
/// at most <c>maxSize</c> of them. It runs with a high MaxConcurrency so that a get waiting on an empty queue holds a
/// slot but does not stop the put that will feed it: waiting calls wait on TaskCompletionSources, never block a thread.
/// </summary>
/// <remarks>
/// Methods may run in parallel, or interleaved on one thread, so all state lives under <see cref="_lock"/>. Invariants
/// kept under it: getters wait only while the queue is empty, putters only while it is full; a waiter is served
/// (removed from its list and its completion set) under the lock, and a waiter that times out or is cancelled removes
/// itself under the lock, so each item goes to exactly one get, and an item put after a get gave up goes to the next
/// get, never to a stale waiter. A waiter is named by the caller's id, so that the caller can cancel it.
/// </remarks>
internal sealed class QueueActor<T>
{
    private readonly Lock _lock = new();
    private readonly int _maxSize;
    private readonly Queue<T> _items = new();
    private readonly LinkedList<Waiter> _getters = new();
    private readonly LinkedList<Waiter> _putters = new();
    private readonly Dictionary<Guid, LinkedListNode<Waiter>> _waiting = [];
    // Cancels that ran before (or alongside) the call they cancel: that call gives up as soon as it starts. An id
    // stays here only when a cancel lost the race with a call that had already finished (one id per such race).
    private readonly HashSet<Guid> _cancelledEarly = [];

    /// <param name="maxSize">The most items the queue holds; 0 or less is unbounded.</param>
    public QueueActor(int maxSize) => _maxSize = maxSize;

    private bool Full => _maxSize > 0 && _items.Count >= _maxSize;

    public int Count()
    {
        lock (_lock) return _items.Count;
    }

    public bool IsEmpty()
    {
        lock (_lock) return _items.Count == 0;
    }

    public bool IsFull()
    {
        lock (_lock) return Full;
    }

    /// <summary>Puts <paramref name="item"/>, waiting while the queue is full (at most <paramref name="timeoutMs"/>; negative: no limit).</summary>
    public async Task<QueueReply<T>> Put(Guid id, T item, long timeoutMs)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_cancelledEarly.Remove(id)) return new(QueueOutcome.Cancelled);
            if (TryPutLocked(item)) return new(QueueOutcome.Done);
            if (timeoutMs == 0) return new(QueueOutcome.TimedOut);
            waiter = new Waiter(id, item);
            _waiting[id] = _putters.AddLast(waiter);
        }
        return await WaitAsync(waiter, timeoutMs).ConfigureAwait(false);
    }

    /// <summary>Puts <paramref name="item"/> if there is room now (Ray's <c>put_nowait</c>).</summary>
    public QueueOutcome PutNowait(T item)
    {
        lock (_lock) return TryPutLocked(item) ? QueueOutcome.Done : QueueOutcome.Full;
    }

    /// <summary>Puts all of <paramref name="items"/> if there is room for all of them now, else none (Ray's <c>put_nowait_batch</c>).</summary>
    public QueueOutcome PutNowaitBatch(List<T> items)
    {
        lock (_lock)
        {
            if (_maxSize > 0 && _items.Count + items.Count - _getters.Count > _maxSize) return QueueOutcome.Full;
            foreach (var item in items) TryPutLocked(item);
            return QueueOutcome.Done;
        }
    }

    /// <summary>Takes the oldest item, waiting while the queue is empty (at most <paramref name="timeoutMs"/>; negative: no limit).</summary>
    public async Task<QueueReply<T>> Get(Guid id, long timeoutMs)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_cancelledEarly.Remove(id)) return new(QueueOutcome.Cancelled);
            if (_items.Count > 0) return new(QueueOutcome.Done, TakeLocked());
            if (timeoutMs == 0) return new(QueueOutcome.TimedOut);
            waiter = new Waiter(id, default!);
            _waiting[id] = _getters.AddLast(waiter);
        }
        return await WaitAsync(waiter, timeoutMs).ConfigureAwait(false);
    }

    /// <summary>Takes the oldest item if there is one now (Ray's <c>get_nowait</c>).</summary>
    public QueueReply<T> GetNowait()
    {
        lock (_lock) return _items.Count > 0 ? new(QueueOutcome.Done, TakeLocked()) : new(QueueOutcome.Empty);
    }

    /// <summary>Takes the <paramref name="count"/> oldest items if there are that many now, else none (Ray's <c>get_nowait_batch</c>).</summary>
    public QueueReply<T> GetNowaitBatch(int count)
    {
        lock (_lock)
        {
            if (_items.Count < count) return new(QueueOutcome.Empty);
            var taken = new List<T>(count);
            for (var i = 0; i < count; i++) taken.Add(TakeLocked());
            return new(QueueOutcome.Done, Items: taken);
        }
    }

    /// <summary>
    /// Withdraws the waiting put or get named <paramref name="id"/>: it answers Cancelled. If it has not started yet it
    /// will answer Cancelled when it does; if it was already served, nothing changes (its caller gets its answer).
    /// </summary>
    public void Cancel(Guid id)
    {
        Waiter? cancelled = null;
        lock (_lock)
        {
            if (_waiting.Remove(id, out var node))
            {
                node.List!.Remove(node);
                cancelled = node.Value;
            }
            else _cancelledEarly.Add(id);
        }
        cancelled?.Completion.TrySetResult(new(QueueOutcome.Cancelled));
    }

    private async Task<QueueReply<T>> WaitAsync(Waiter waiter, long timeoutMs)
    {
        if (timeoutMs < 0) return await waiter.Completion.Task.ConfigureAwait(false);
        try
        {
            return await waiter.Completion.Task.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                // Still waiting: give up, so that no later item or space goes to this waiter. Served (or cancelled)
                // meanwhile, under the lock: its answer is set, and the item it took must not be lost.
                if (_waiting.Remove(waiter.Id, out var node))
                {
                    node.List!.Remove(node);
                    return new(QueueOutcome.TimedOut);
                }
            }
            return await waiter.Completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Under the lock: hands the item to the oldest waiting get, or queues it if there is room.</summary>
    private bool TryPutLocked(T item)
    {
        if (_getters.First is { } getter)
        {
            Serve(getter, new(QueueOutcome.Done, item));
            return true;
        }
        if (Full) return false;
        _items.Enqueue(item);
        return true;
    }

    /// <summary>Under the lock: takes the oldest item; the room it leaves goes to the oldest waiting put.</summary>
    private T TakeLocked()
    {
        var item = _items.Dequeue();
        if (_putters.First is { } putter)
        {
            _items.Enqueue(putter.Value.Item);
            Serve(putter, new(QueueOutcome.Done));
        }
        return item;
    }

    private void Serve(LinkedListNode<Waiter> node, QueueReply<T> reply)
    {
        node.List!.Remove(node);
        _waiting.Remove(node.Value.Id);
        // Continuations run asynchronously (see Waiter): setting the answer under the lock runs no other code here.
        node.Value.Completion.TrySetResult(reply);
    }

    /// <summary>A waiting put (with its item) or get.</summary>
    private sealed class Waiter(Guid id, T item)
    {
        public Guid Id { get; } = id;
        public T Item { get; } = item;
        public TaskCompletionSource<QueueReply<T>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
