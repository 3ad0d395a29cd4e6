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
/// block seen so far (what it may put out next), plus one such block kept free: a released block leaves the object
/// store when its delete reaches the node, a moment after the driver let it go. A task starts only while that stays
/// within the limit, except that a stage with nothing running may always start one (so the plan always moves: a
/// stage frees its input as it consumes it), and a source may start when nothing at all is held or running (so a block
/// larger than the budget still goes through, one at a time).
/// </summary>
internal sealed class MemoryBudget(long limit)
{
    private readonly ChangeSignal _signal = new();
    private long _held;
    private long _largest = 1 << 20;
    private int _running;

    public long Held { get { lock (_signal.Lock) return _held; } }
    public long PeakHeld { get; private set; }

    public void Hold(long bytes)
    {
        lock (_signal.Lock)
        {
            _held += bytes;
            _largest = Math.Max(_largest, bytes);
            PeakHeld = Math.Max(PeakHeld, _held);
        }
    }

    public void Release(long bytes) => _signal.Change(() => _held -= bytes);

    /// <summary>Waits until a task of <paramref name="stage"/> may start, and counts it (<see cref="Stop"/> when it ends).</summary>
    public async ValueTask StartAsync(StageSlot stage, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_signal.Lock)
            {
                bool fits = _held + (_running + 2) * _largest <= limit;
                bool alone = stage.IsSource ? _running == 0 && _held == 0 : stage.Running == 0;
                if (fits || alone)
                {
                    _running++;
                    stage.Running++;
                    return;
                }
                changed = _signal.Next;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Stop(StageSlot stage) => _signal.Change(() =>
    {
        _running--;
        stage.Running--;
    });
}

/// <summary>One stage's running tasks, as the budget counts them (changed under the budget's lock).</summary>
internal sealed class StageSlot(bool isSource)
{
    public bool IsSource { get; } = isSource;
    public int Running { get; set; }
}
