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

    /// <summary>Takes this very entry out of the table (not a later one with the same id), and forgets its lineage.</summary>
    public bool Remove(OwnedObject entry)
    {
        if (!_objects.TryRemove(new KeyValuePair<ObjectId, OwnedObject>(entry.Id, entry))) return false;
        if (entry.TakeLineage() is { } lineage) Interlocked.Add(ref _lineageBytes, -lineage.Bytes);
        return true;
    }

    // ---- Lineage ----

    private long _lineageBytes;

    /// <summary>The most bytes of task specs kept as lineage (see <see cref="KeepLineage"/>).</summary>
    public long MaxLineageBytes { get; set; } = DefaultMaxLineageBytes;

    /// <summary>Ray keeps up to 1 GB of lineage per owner; a .NET process holds its specs on the managed heap, so less.</summary>
    public const long DefaultMaxLineageBytes = 256L * 1024 * 1024;

    /// <summary>Bytes of task specs held as lineage now.</summary>
    public long LineageBytes => Volatile.Read(ref _lineageBytes);

    /// <summary>
    /// Keeps the task that makes <paramref name="entry"/> so that its value can be rebuilt if every copy is lost, until
    /// the entry leaves the table. False (nothing kept) when that would pass <see cref="MaxLineageBytes"/>: the object
    /// then cannot be rebuilt, and its loss is an <see cref="ObjectLostException"/> that says so.
    /// </summary>
    public bool KeepLineage(OwnedObject entry, TaskSpec spec, int maxRetries, int returnIndex = 0)
    {
        var bytes = TaskLineage.SizeOf(spec);
        if (Interlocked.Add(ref _lineageBytes, bytes) > MaxLineageBytes)
        {
            Interlocked.Add(ref _lineageBytes, -bytes);
            return false;
        }
        entry.Lineage = new TaskLineage(spec, maxRetries, bytes, returnIndex);
        return true;
    }

    public ICollection<OwnedObject> Entries => _objects.Values;
}

/// <summary>One owned object: its payload future and what keeps it alive.</summary>
internal sealed class OwnedObject(ObjectId id) : ReferenceEntry(id)
{
    // Continuations run on the completing thread: Grid's own are short, and user code awaits through
    // ResultDelivery, which queues it unless the completer is a lone call's response.
    private TaskCompletionSource<ObjectPayload> _payload = new();

    /// <summary>The payload's future: replaced only when a lost value is rebuilt (see <see cref="TryStartRebuild"/>).</summary>
    public TaskCompletionSource<ObjectPayload> Payload => Volatile.Read(ref _payload);

    /// <summary>The task that makes this object, while it is kept to rebuild a lost value; null for puts and actor results.</summary>
    public TaskLineage? Lineage { get => Volatile.Read(ref _lineage); set => Volatile.Write(ref _lineage, value); }

    private TaskLineage? _lineage;

    public TaskLineage? TakeLineage() => Interlocked.Exchange(ref _lineage, null);

    /// <summary>The actor whose call makes this object (null for tasks and puts): where a cancel goes.</summary>
    public ActorId? MadeBy { get; set; }

    /// <summary>
    /// Every copy of the stored value, which was on <paramref name="lostOn"/>, is gone: the first reader to say so swaps in a fresh payload
    /// future (returned in <paramref name="next"/>; the caller rebuilds into it), or, when nothing can rebuild it, a
    /// payload completed with <paramref name="unrecoverable"/>'s error. Readers that report the same loss later get the
    /// current future (the rebuild under way, or its result). False when the entry is freed.
    /// </summary>
    public bool TryStartRebuild(NodeId lostOn, Func<OwnedObject, ObjectPayload?> unrecoverable, out Task<ObjectPayload> current, out TaskCompletionSource<ObjectPayload>? next)
    {
        next = null;
        lock (this)
        {
            current = Payload.Task;
            if (IsDead) return false;
            if (current is not { IsCompletedSuccessfully: true, Result: { Kind: PayloadKind.Stored } stored } || stored.Node != lostOn) return true; // already rebuilt, or rebuilding
            var replacement = new TaskCompletionSource<ObjectPayload>();
            if (unrecoverable(this) is { } failed) replacement.SetResult(failed);
            else next = replacement;
            Volatile.Write(ref _payload, replacement);
            current = replacement.Task;
            return true;
        }
    }

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
