using Grid.Core.Diagnostics;
using System.Collections.Concurrent;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core.References;

/// <summary>
/// The process's reference counter (after Ray's ownership protocol). For each object this process owns it counts
/// the <see cref="ObjectRef"/> instances alive here, the pending tasks and actor calls that take it as an argument
/// (also nested inside a value), and the other processes that borrowed it (they deserialized a ref, or own an object
/// that contains one). When the total reaches zero the object is freed: it leaves the owner's table and every node
/// that holds a copy deletes it (see <see cref="ObjectFreer"/>). For refs to other processes' objects it counts the
/// instances here, and registers this process as a borrower with the owner while any is alive.
/// </summary>
/// <remarks>
/// The hot path (a task submitted, its result ref created, collected later) is one dictionary lookup and a few
/// interlocked operations per ref; no lock is taken and nothing is sent unless refs cross processes.
/// </remarks>
internal sealed class ReferenceCounter
{
    private readonly ConcurrentDictionary<ObjectId, BorrowedRef> _borrowed = new();
    // Borrower registrations in flight: a task's reply waits for them, so that its submitter, which pins the
    // task's arguments until the reply, releases them only after the owner knows of this borrower.
    private readonly ConcurrentDictionary<Task, byte> _registering = new();
    private readonly IGrainFactory _grains;
    private readonly ObjectFreer _freer;
    private readonly ILogger _logger;
    private readonly GrainType _nodeOwnerType;
    private volatile bool _shutDown;

    public ReferenceCounter(IGrainFactory grains, GrainId self, ObjectFreer freer, ILogger logger)
    {
        _grains = grains;
        Self = self;
        _freer = freer;
        _logger = logger;
        _nodeOwnerType = grains.GetGrain<INodeOwnerGrain>("type-probe").GetGrainId().Type;
    }

    /// <summary>
    /// Tells <paramref name="owner"/> that <paramref name="borrower"/> holds refs to <paramref name="id"/> now (or no
    /// longer). Nodes are called directly; a client owner is told through its mailbox grain, which it polls.
    /// </summary>
    private Task NotifyOwnerAsync(GrainId owner, ObjectId id, GrainId borrower, bool added)
    {
        if (_goneCount > 0 && _goneOwners.ContainsKey(owner)) return Task.CompletedTask; // it counts nothing any more
        if (owner.Type == _nodeOwnerType)
        {
            var node = _grains.GetGrain<IObjectOwner>(owner);
            return added ? node.AddBorrower(id, borrower) : node.RemoveBorrower(id, borrower);
        }
        return _grains.GetGrain<IOwnerMailboxGrain>(owner.ToString()).Post([new BorrowNotice(id, borrower, added)]);
    }

    /// <summary>Applies notices a client owner took from its mailbox, in order.</summary>
    public void Apply(BorrowNotice[] notices)
    {
        foreach (var n in notices)
        {
            if (n.Added) AddBorrower(n.Id, n.Borrower);
            else RemoveBorrower(n.Id, n.Borrower);
        }
    }

    public OwnedObjects Owned { get; } = new();
    public GrainId Self { get; }
    /// <summary>Set once the job ended (the client was disposed): this owner answers for nothing any more.</summary>
    public bool IsShutDown => _shutDown;
    public int BorrowedCount => _borrowed.Count;

    // ---- ObjectRef instances ----

    public bool AddLocal(ObjectId id, GrainId owner)
    {
        if (owner == Self)
        {
            if (!Owned.TryGetEntry(id, out var entry) || !entry.TryAcquire()) return false;
            Interlocked.Increment(ref entry.LocalCount);
            return true;
        }
        if (owner.IsDefault || _shutDown) return false;
        var borrowed = AcquireBorrowed(id, owner);
        Interlocked.Increment(ref borrowed.LocalCount);
        return true;
    }

    public void RemoveLocal(ObjectId id, GrainId owner)
    {
        if (owner == Self)
        {
            if (!Owned.TryGetEntry(id, out var entry)) return;
            Interlocked.Decrement(ref entry.LocalCount);
            if (entry.Release()) Free(entry);
        }
        else if (_borrowed.TryGetValue(id, out var borrowed))
        {
            Interlocked.Decrement(ref borrowed.LocalCount);
            if (borrowed.Release()) Unborrow(borrowed);
        }
    }

    // ---- Arguments of pending tasks and actor calls ----

    /// <summary>
    /// Holds the refs among <paramref name="args"/> and the refs nested inside argument values until
    /// <paramref name="completion"/> finishes (the task's result arrives, success or failure).
    /// </summary>
    public void PinUntil(Task completion, TaskArg[] args, List<ObjectRef>? nested)
    {
        List<ObjectRefData>? pinned = null;
        foreach (var a in args)
            if (a.Ref is { } r && Pin(r.Id, r.Owner)) (pinned ??= []).Add(r);
        if (nested is { Count: > 0 })
            foreach (var n in nested)
                if ((pinned is null || !pinned.Exists(p => p.Id == n.Id)) && Pin(n.Id, n.Owner)) (pinned ??= []).Add(n.ToData());
        if (pinned is null) return;
        completion.ContinueWith(static (done, state) =>
        {
            var (counter, refs) = ((ReferenceCounter, List<ObjectRefData>))state!;
            counter.HoldOwnContained(done);
            counter.Unpin(refs);
        }, (this, pinned), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private bool Pin(ObjectId id, GrainId owner)
    {
        if (owner == Self)
        {
            if (!Owned.TryGetEntry(id, out var entry) || !entry.TryAcquire()) return false;
            Interlocked.Increment(ref entry.SubmittedCount);
            return true;
        }
        if (owner.IsDefault || _shutDown) return false;
        Interlocked.Increment(ref AcquireBorrowed(id, owner).SubmittedCount);
        return true;
    }

    private void Unpin(List<ObjectRefData> refs)
    {
        foreach (var r in refs)
        {
            if (r.Owner == Self)
            {
                if (!Owned.TryGetEntry(r.Id, out var entry)) continue;
                Interlocked.Decrement(ref entry.SubmittedCount);
                if (entry.Release()) Free(entry);
            }
            else if (_borrowed.TryGetValue(r.Id, out var borrowed))
            {
                Interlocked.Decrement(ref borrowed.SubmittedCount);
                if (borrowed.Release()) Unborrow(borrowed);
            }
        }
    }

    // ---- Borrowing (this process holds another process's object) ----

    private BorrowedRef AcquireBorrowed(ObjectId id, GrainId owner)
    {
        while (true)
        {
            var entry = _borrowed.GetOrAdd(id, static (id, owner) => new BorrowedRef(id, owner), owner);
            if (entry.TryAcquire())
            {
                if (entry.ClaimRegistration()) entry.SetRegistration(Track(RegisterAsync(entry)));
                return entry;
            }
            _borrowed.TryRemove(new KeyValuePair<ObjectId, BorrowedRef>(id, entry)); // released meanwhile: start afresh
        }
    }

    private async Task RegisterAsync(BorrowedRef entry)
    {
        try
        {
            await NotifyOwnerAsync(entry.Owner, entry.Id, Self, added: true).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The owner is gone (its objects with it) or unreachable: a get will say so; nothing to hold.
            CoreLog.BorrowerRegistrationFailed(_logger, e, entry.Id, entry.Owner);
        }
    }

    private Task Track(Task registration)
    {
        if (registration.IsCompleted) return registration;
        _registering.TryAdd(registration, 0);
        registration.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _),
            _registering, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return registration;
    }

    /// <summary>Completes when every borrower registration started so far has been answered (at once when none is in flight).</summary>
    public ValueTask FlushRegistrationsAsync() =>
        _registering.IsEmpty ? ValueTask.CompletedTask : new ValueTask(Task.WhenAll(_registering.Keys));

    private void Unborrow(BorrowedRef entry)
    {
        _borrowed.TryRemove(new KeyValuePair<ObjectId, BorrowedRef>(entry.Id, entry));
        BorrowReleased?.Invoke(entry.Id);
        _ = UnregisterAsync(entry);
    }

    /// <summary>Raised when this process stops borrowing an object (the core worker forgets its cached payload).</summary>
    public event Action<ObjectId>? BorrowReleased;

    private async Task UnregisterAsync(BorrowedRef entry)
    {
        try
        {
            if (entry.Registration is { } registration) await registration.ConfigureAwait(false);
            await NotifyOwnerAsync(entry.Owner, entry.Id, Self, added: false).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CoreLog.BorrowerUnregistrationFailed(_logger, e, entry.Id, entry.Owner);
        }
    }

    // ---- Owner side: other processes borrowing this process's objects ----

    public bool AddBorrower(ObjectId id, GrainId borrower) => Owned.TryGetEntry(id, out var entry) && entry.AddBorrower(borrower);

    public void RemoveBorrower(ObjectId id, GrainId borrower)
    {
        if (Owned.TryGetEntry(id, out var entry) && entry.RemoveBorrower(borrower)) Free(entry);
    }

    /// <summary>Drops everything <paramref name="borrower"/> held (the process died); returns how many objects that freed.</summary>
    public int DropBorrower(GrainId borrower)
    {
        var freed = 0;
        foreach (var entry in Owned.Entries)
            if (entry.DropBorrower(borrower)) { Free(entry); freed++; }
        return freed;
    }

    public ReferenceCounts[] Counts(IEnumerable<ObjectId> ids)
    {
        var counts = new List<ReferenceCounts>();
        foreach (var id in ids)
            if (Owned.TryGetEntry(id, out var entry) && !entry.IsDead) counts.Add(entry.Counts());
        return [.. counts];
    }

    // ---- Objects inside objects ----

    /// <summary>
    /// Makes <paramref name="holder"/> (the owner of an object whose value contains <paramref name="contained"/>) a
    /// borrower of each contained ref until it frees that object: registered with each ref's owner before the
    /// object is handed over, so the refs outlive the instances the serializing process held.
    /// </summary>
    public async ValueTask HoldContainedAsync(ObjectRefData[] contained, GrainId holder)
    {
        List<Task>? calls = null;
        foreach (var c in contained)
        {
            if (c.Owner == Self) AddBorrower(c.Id, holder);
            // The holder owns it: it counts the hold itself when the payload reaches it (see HoldOwnContained),
            // which orders the hold before it releases the task's arguments.
            else if (c.Owner == holder) continue;
            else (calls ??= []).Add(AddRemoteBorrowerAsync(c, holder));
        }
        if (calls is not null) await Task.WhenAll(calls).ConfigureAwait(false);
    }

    private async Task AddRemoteBorrowerAsync(ObjectRefData r, GrainId holder)
    {
        try { await NotifyOwnerAsync(r.Owner, r.Id, holder, added: true).ConfigureAwait(false); }
        catch (Exception e) { CoreLog.HolderRegistrationFailed(_logger, e, holder, r.Id); }
    }

    /// <summary>A result that arrived contains refs this process owns: it holds them until it frees that result.</summary>
    private void HoldOwnContained(Task completion)
    {
        if (completion is Task<ObjectPayload> { IsCompletedSuccessfully: true } done && done.Result.Contained is { } contained)
            foreach (var c in contained)
                if (c.Owner == Self) AddBorrower(c.Id, Self);
    }

    /// <summary>The holder of an object that contained <paramref name="contained"/> freed it: it borrows them no more.</summary>
    public void ReleaseContained(ObjectRefData[] contained)
    {
        foreach (var c in contained)
        {
            if (c.Owner == Self) RemoveBorrower(c.Id, Self);
            else _ = RemoveRemoteBorrowerAsync(c);
        }
    }

    private async Task RemoveRemoteBorrowerAsync(ObjectRefData r)
    {
        try
        {
            // This process's own borrow of the same object (its refs read from the freed value) counts in the same
            // number at the owner: its registration must land first, or this release, overtaking it, could free an
            // object still in use here (as UnregisterAsync orders a borrow's release after its registration).
            if (_borrowed.TryGetValue(r.Id, out var borrowed) && borrowed.Registration is { } registration) await registration.ConfigureAwait(false);
            await NotifyOwnerAsync(r.Owner, r.Id, Self, added: false).ConfigureAwait(false);
        }
        catch (Exception e) { CoreLog.BorrowUnregistrationFailed(_logger, e, r.Id); }
    }

    // ---- Client owners that are gone ----

    // Client owners whose job ended (disposed, or died: see JobWatch on the nodes), with why; one small entry per job.
    private readonly ConcurrentDictionary<GrainId, string> _goneOwners = new();
    private readonly ConcurrentDictionary<GrainId, TaskCompletionSource<string>> _goneWatches = new();
    private volatile int _goneCount;

    /// <summary>Whether <paramref name="owner"/> is a node's owner endpoint (a node's death surfaces as a node failure).</summary>
    public bool IsNodeOwner(GrainId owner) => owner.Type == _nodeOwnerType;

    /// <summary>Why <paramref name="owner"/> is gone; null while it is not known to be.</summary>
    public string? GoneReason(GrainId owner) => _goneCount > 0 && _goneOwners.TryGetValue(owner, out var why) ? why : null;

    /// <summary>Completes with the reason once the client owner <paramref name="owner"/> is declared gone.</summary>
    public Task<string> WhenGone(GrainId owner)
    {
        var watch = _goneWatches.GetOrAdd(owner, static _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (GoneReason(owner) is { } why) watch.TrySetResult(why); // declared gone while this watch was being added
        return watch.Task;
    }

    /// <summary>
    /// A client owner is gone: what it borrowed from this process is released, a get of one of its objects fails at
    /// once (also one waiting now), and nothing is sent to it any more. Returns how many objects of this process that
    /// freed.
    /// </summary>
    public int OwnerGone(GrainId owner, string why)
    {
        if (_goneOwners.TryAdd(owner, why)) Interlocked.Increment(ref _goneCount);
        if (_goneWatches.TryRemove(owner, out var watch)) watch.TrySetResult(why);
        foreach (var borrowed in _borrowed.Values)
            if (borrowed.Owner == owner) BorrowReleased?.Invoke(borrowed.Id); // forget its payload: a get must ask, and learn
        return DropBorrower(owner);
    }

    /// <summary>Deletes every copy of a stored object whose owner is gone (it cannot free the object itself).</summary>
    public Task FreeOrphanAsync(ObjectId id, NodeId primary) => _freer.FreeAsync(id, primary);

    // ---- Freeing ----

    private void Free(OwnedObject entry)
    {
        Owned.Remove(entry);
        var payload = entry.Payload.Task;
        if (payload.IsCompletedSuccessfully) Release(entry.Id, payload.Result);
        else
            // A result nobody holds any more: free what the task leaves behind once it finishes.
            payload.ContinueWith(static (t, state) =>
            {
                var (counter, id) = ((ReferenceCounter, ObjectId))state!;
                if (t.IsCompletedSuccessfully) counter.Release(id, t.Result);
            }, (this, entry.Id), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Gives back what a freed object held: the refs inside it, and its copies in object stores.</summary>
    private Task Release(ObjectId id, ObjectPayload payload)
    {
        if (payload.Contained is { } contained) ReleaseContained(contained);
        return payload.Kind == PayloadKind.Stored ? _freer.FreeAsync(id, payload.Node) : Task.CompletedTask;
    }

    /// <summary>
    /// Job end: frees every object this process owns, whatever its counts, and stops borrowing. Objects other
    /// processes borrowed become unknown to this owner, and a get of one fails with <see cref="OwnerDiedException"/>.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan timeout)
    {
        _shutDown = true;
        var frees = new List<Task>();
        foreach (var entry in Owned.Entries)
        {
            if (!entry.Kill()) continue;
            Owned.Remove(entry);
            if (entry.Payload.Task.IsCompletedSuccessfully) frees.Add(Release(entry.Id, entry.Payload.Task.Result));
            else Free(entry); // still running: what it leaves behind is freed when it finishes
        }
        foreach (var borrowed in _borrowed.Values)
            if (borrowed.Kill()) Unborrow(borrowed);
        try
        {
            await Task.WhenAll(frees).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CoreLog.JobObjectsFreeingTimedOut(_logger, e, frees.Count, timeout);
        }
    }
}
