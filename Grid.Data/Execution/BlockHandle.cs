namespace Grid.Data.Execution;

/// <summary>
/// A block as the driver holds it: the ref of its item (never read here unless the rows are wanted here), its
/// metadata, and its index in its operator's output order. Disposing releases the block, and its bytes from the
/// plan's memory budget; a borrowed handle (a materialized dataset's block) releases nothing.
/// </summary>
internal sealed class BlockHandle(ObjectRef<BlockItem> reference, BlockMeta meta, int index, MemoryBudget? budget, bool owned = true) : IDisposable
{
    private int _disposed;

    public ObjectRef<BlockItem> Ref { get; } = reference;
    public BlockMeta Meta { get; } = meta;
    /// <summary>The block's position in the output of the stage that holds it now (set as it passes a union).</summary>
    public int Index { get; set; } = index;

    /// <summary>A handle of the same block that does not own it.</summary>
    public BlockHandle Borrow(int index) => new(Ref, Meta, index, null, owned: false);

    public void Dispose()
    {
        if (!owned || Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Ref.Dispose();
        budget?.Release(Meta.Bytes);
    }
}

/// <summary>
/// The plan's memory budget: bytes of the blocks its operators hold, plus, for each running data task, the largest
/// block seen so far (what it may put out next). A source starts a read only while that stays within the limit, or
/// when nothing at all is running (so a block larger than the budget still goes through, one at a time). Other
/// stages never wait for it (they free blocks as they consume them; waiting could deadlock) but count their tasks.
/// </summary>
internal sealed class MemoryBudget(long limit)
{
    private readonly Lock _lock = new();
    private long _held;
    private long _largest = 1 << 20;
    private int _producing;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Limit => limit;
    public long Held { get { lock (_lock) return _held; } }
    public long PeakHeld { get; private set; }

    public void Hold(long bytes)
    {
        lock (_lock)
        {
            _held += bytes;
            _largest = Math.Max(_largest, bytes);
            PeakHeld = Math.Max(PeakHeld, _held);
        }
    }

    public void Release(long bytes) => Change(() => _held -= bytes);

    /// <summary>Counts a running task of a stage that does not wait for the budget.</summary>
    public void StartConsuming() => Change(() => _producing++);

    /// <summary>Waits until a source may start one more read task, and counts it.</summary>
    public async ValueTask StartProducingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_producing == 0 && _held == 0 || _held + (_producing + 1) * _largest <= limit)
                {
                    _producing++;
                    return;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void StopProducing() => Change(() => _producing--);

    private void Change(Action change)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            change();
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }
}
