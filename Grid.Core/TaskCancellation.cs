namespace Grid.Core;

/// <summary>
/// The cancellation state of one task run on a node (Ray's <c>ray.cancel</c>): whether it was cancelled, the token its
/// code sees (a <see cref="CancellationToken"/> parameter, <c>GridContext.CancellationToken</c>), and the tasks it
/// submitted, for a recursive cancel. (A forced cancel is the owner's: it fails the result without waiting.) The token source is made only when the
/// token is asked for, so a task that never looks costs no allocation beyond this object. Thread-safe.
/// </summary>
internal sealed class TaskCancellation
{
    // Locks on itself: a task's cancellation is private to the node, and a lock object of its own would cost an
    // allocation per task for a state nearly every task never changes.
    private CancellationTokenSource? _source;
    private List<ObjectId>? _children;
    private IWithdrawable? _withdraw;

    /// <summary>Whether the task was cancelled (its result is then TaskCancelledException, whatever it returns).</summary>
    public bool IsCancelled { get; private set; }

    /// <summary>The token cancelled when the task is.</summary>
    public CancellationToken Token
    {
        get
        {
            lock (this)
            {
                if (IsCancelled) return new CancellationToken(canceled: true);
                return (_source ??= new CancellationTokenSource()).Token;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="withdraw"/> when the task is cancelled (at once if it is already): how a task waiting in a
    /// node's queue leaves it, without a token registration per queued task.
    /// </summary>
    public void OnCancel(IWithdrawable withdraw)
    {
        lock (this)
        {
            if (!IsCancelled)
            {
                _withdraw = withdraw;
                return;
            }
        }
        withdraw.Withdraw();
    }

    /// <summary>A task the cancelled task submitted: cancelled with it when the cancel is recursive.</summary>
    public void AddChild(ObjectId task)
    {
        lock (this) (_children ??= []).Add(task);
    }

    /// <summary>Cancels the task: its token fires; answers the tasks it submitted when <paramref name="recursive"/>.</summary>
    public IReadOnlyList<ObjectId> Cancel(bool recursive)
    {
        CancellationTokenSource? source;
        IWithdrawable? withdraw;
        ObjectId[] children;
        lock (this)
        {
            IsCancelled = true;
            source = _source;
            withdraw = _withdraw;
            children = recursive && _children is { } c ? [.. c] : [];
        }
        withdraw?.Withdraw();
        // The user's callbacks run here: outside the lock, and never failing the cancel.
        try { source?.Cancel(); }
        catch (AggregateException) { /* a callback threw: the task sees the cancel anyway */ }
        return children;
    }
}

/// <summary>Something a task waits in that its cancel takes it out of (a node's resource queue).</summary>
internal interface IWithdrawable
{
    void Withdraw();
}
