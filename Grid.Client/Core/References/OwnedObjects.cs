using System.Collections.Concurrent;
using Grid.Wire;

namespace Grid.Core.References;

/// <summary>
/// The objects this process owns (Ray's reference table plus in-memory store): for each, a future of its payload
/// and its reference counts. Small values live here inline; large ones are recorded by location. An entry leaves
/// the table when its count reaches zero (see <see cref="ReferenceCounter"/>).
/// </summary>
internal sealed class OwnedObjects
{
    private readonly ConcurrentDictionary<ObjectId, OwnedObject> _objects = new();

    public int Count => _objects.Count;

    /// <summary>Registers an object whose payload will come later (a submitted task's result).</summary>
    public OwnedObject AddPending(ObjectId id)
    {
        var entry = new OwnedObject(id);
        if (!_objects.TryAdd(id, entry)) throw new InvalidOperationException($"Object {id} is registered twice; this is a Grid bug.");
        return entry;
    }

    /// <summary>Registers an object that is ready now (a put).</summary>
    public OwnedObject AddReady(ObjectId id, ObjectPayload payload)
    {
        var entry = AddPending(id);
        entry.Payload.SetResult(payload);
        return entry;
    }

    public bool TryGet(ObjectId id, out Task<ObjectPayload> payload)
    {
        if (_objects.TryGetValue(id, out var entry)) { payload = entry.Payload.Task; return true; }
        payload = null!;
        return false;
    }

    public bool TryGetEntry(ObjectId id, out OwnedObject entry) => _objects.TryGetValue(id, out entry!);

    /// <summary>Takes this very entry out of the table (not a later one with the same id).</summary>
    public bool Remove(OwnedObject entry) => _objects.TryRemove(new KeyValuePair<ObjectId, OwnedObject>(entry.Id, entry));

    public ICollection<OwnedObject> Entries => _objects.Values;
}

/// <summary>One owned object: its payload future and what keeps it alive.</summary>
internal sealed class OwnedObject(ObjectId id) : ReferenceEntry(id)
{
    // Continuations run on the completing thread: Grid's own are short, and user code awaits through
    // ResultDelivery, which queues it unless the completer is a lone call's response.
    public TaskCompletionSource<ObjectPayload> Payload { get; } = new();

    // Processes (owner endpoints) holding refs to it, each with how many registrations it made (a process can
    // borrow by deserializing a ref and, separately, by owning an object that contains it). Guarded by itself.
    private readonly Dictionary<GrainId, int> _borrowers = [];

    public int BorrowerCount { get { lock (_borrowers) return _borrowers.Values.Sum(); } }

    /// <summary>Counts one more registration of <paramref name="borrower"/>; false when the object is freed already.</summary>
    public bool AddBorrower(GrainId borrower)
    {
        if (!TryAcquire()) return false;
        lock (_borrowers) _borrowers[borrower] = _borrowers.GetValueOrDefault(borrower) + 1;
        return true;
    }

    /// <summary>Drops one registration of <paramref name="borrower"/>; true when that was the object's last reference.</summary>
    public bool RemoveBorrower(GrainId borrower)
    {
        lock (_borrowers)
        {
            if (!_borrowers.TryGetValue(borrower, out var n)) return false; // unknown (e.g. registered before a restart): ignore
            if (n <= 1) _borrowers.Remove(borrower);
            else _borrowers[borrower] = n - 1;
        }
        return Release();
    }

    /// <summary>Drops every registration of <paramref name="borrower"/> (it died); true when that freed the object.</summary>
    public bool DropBorrower(GrainId borrower)
    {
        int n;
        lock (_borrowers)
            if (!_borrowers.Remove(borrower, out n)) return false;
        var last = false;
        for (var i = 0; i < n; i++) last |= Release();
        return last;
    }

    public ReferenceCounts Counts() => new(Id, Math.Max(0, Volatile.Read(ref LocalCount)), Math.Max(0, Volatile.Read(ref SubmittedCount)), BorrowerCount);
}

/// <summary>
/// The counts shared by owned and borrowed entries. <see cref="Total"/> decides the object's fate: it only goes up
/// from a positive value, and the decrement that brings it to zero wins the right to free (it is then sealed at a
/// negative value so that a late increment cannot revive a freed object). The per-kind counts are for display.
/// </summary>
internal abstract class ReferenceEntry(ObjectId id)
{
    private const int Dead = int.MinValue / 2;
    private int _total;
    public int LocalCount;
    public int SubmittedCount;

    public ObjectId Id { get; } = id;
    public int Total => Volatile.Read(ref _total);
    public bool IsDead => Volatile.Read(ref _total) < 0;

    /// <summary>One more reference; false when the entry is dead (freed).</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var t = Volatile.Read(ref _total);
            if (t < 0) return false;
            if (Interlocked.CompareExchange(ref _total, t + 1, t) == t) return true;
        }
    }

    /// <summary>One reference fewer; true when it was the last (the caller frees, exactly once).</summary>
    public bool Release() => Interlocked.Decrement(ref _total) == 0 && Interlocked.CompareExchange(ref _total, Dead, 0) == 0;

    /// <summary>Marks the entry dead whatever its count (job end); true the first time.</summary>
    public bool Kill()
    {
        while (true)
        {
            var t = Volatile.Read(ref _total);
            if (t < 0) return false;
            if (Interlocked.CompareExchange(ref _total, Dead, t) == t) return true;
        }
    }
}
