using Grid.Grains;

namespace Grid.Silo.Objects;

/// <summary>
/// Holds borrower notices for one client owner until it takes and applies them (see <see cref="IOwnerMailboxGrain"/>).
/// Reentrant: a pending Take must not hold up the Posts it waits for, nor a Post waiting for its acknowledgement
/// hold up the Take that brings it.
/// </summary>
[Reentrant]
internal sealed class OwnerMailboxGrain : Grain, IOwnerMailboxGrain
{
    // How long a Post waits for the owner to apply it; past this the owner is taken for dead (its objects are gone).
    private static readonly TimeSpan AcknowledgeWithin = TimeSpan.FromSeconds(20);
    private readonly List<BorrowNotice> _queue = [];
    private readonly SortedDictionary<long, TaskCompletionSource> _unacknowledged = [];
    private long _last;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task Post(BorrowNotice[] notices)
    {
        _queue.AddRange(notices);
        _last += notices.Length;
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _unacknowledged[_last] = applied;
        _arrived.TrySetResult();
        await applied.Task.WaitAsync(AcknowledgeWithin).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    public async Task<BorrowBatch> Take(long applied, TimeSpan wait)
    {
        foreach (var sequence in _unacknowledged.Keys.TakeWhile(k => k <= applied).ToArray())
        {
            _unacknowledged.Remove(sequence, out var done);
            done!.TrySetResult();
        }
        if (_queue.Count == 0)
        {
            if (_arrived.Task.IsCompleted) _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            await _arrived.Task.WaitAsync(wait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        BorrowNotice[] taken = [.. _queue];
        _queue.Clear();
        return new BorrowBatch(taken, _last);
    }
}
