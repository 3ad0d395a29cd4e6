using Grid.Grains;
using Grid.Wire;

namespace Grid.Silo.State;

/// <summary>
/// The task records a node keeps (Ray's task events, kept per node): one per task attempt that reaches this node's
/// queue, updated in place as it moves Pending → Running → Finished/Failed, at most <see cref="Capacity"/> of them.
/// When full, a new arrival drops the record that ended first (the oldest ended one); when none has ended, the oldest.
/// Beside the records it keeps exact counts by function name and state (a task counts once, in its latest state), the
/// tasks ended and the records dropped, which no eviction changes.
/// <para>
/// It is on every task's path (three transitions per task, at over 100k tasks/s): each transition takes one short lock
/// and allocates nothing; an arrival allocates a record only while the store fills (see <see cref="Entry"/>). Reads (the head's once a second,
/// an API query) copy under the same lock and build their answers outside it.
/// </para>
/// </summary>
internal sealed class TaskRecords
{
    private readonly Lock _lock = new();
    // Kept records in two chains: those still live (pending, running) in arrival order, and those ended in end order.
    private Chain _live;
    private Chain _ended;
    private readonly Dictionary<string, NamedCounts> _counts = new(StringComparer.Ordinal);
    private JobId _lastJob = new("");
    private long _sequence;
    private long _tasksEnded;
    private long _dropped;

    public TaskRecords(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>How many records the node keeps (<see cref="GridNodeOptions.TaskRecordCapacity"/>).</summary>
    public int Capacity { get; }

    /// <summary>Records kept now (≤ <see cref="Capacity"/>).</summary>
    public int Count { get { lock (_lock) return _live.Count + _ended.Count; } }

    /// <summary>
    /// A record's storage. Once the store is full, the ended record it drops is reused for the next arrival: a busy node
    /// allocates no record at all, and its records do not age through the GC's generations (10,000 short-lived objects
    /// promoted and collected cost a task more CPU than the record's bookkeeping). Callers hold a <see cref="Handle"/>,
    /// whose generation tells a reused entry from the one they were given.
    /// </summary>
    internal sealed class Entry
    {
        internal ObjectId TaskId;
        internal string Name = "";
        internal JobId Job;
        internal int Attempt;
        internal long[] Counts = [];
        internal long Sequence;
        internal long QueuedTicks, StartedTicks, EndedTicks;
        internal TaskRecordState State;
        internal RemoteError? Error;
        internal bool Kept;
        internal int Generation;
        internal Entry? Previous, Next;
    }

    /// <summary>A task attempt as this node sees it: the caller holds it from arrival to end and passes it back.</summary>
    internal readonly record struct Handle(Entry Entry, int Generation, ObjectId TaskId);

    /// <summary>A task attempt reached this node's queue (before its arguments or resources): it is Pending.</summary>
    public Handle Arrive(TaskSpec spec) => Arrive(spec.TaskId, spec.Function.DisplayName, spec.Job, spec.Attempt);

    public Handle Arrive(ObjectId taskId, string name, JobId job, int attempt)
    {
        var now = DateTime.UtcNow.Ticks;
        lock (_lock)
        {
            // One counts array per name, held by each of its entries (no lookup later); the dictionary's key is the name's
            // one long-lived string, and the last job id seen is reused alike (each message brings fresh copies of both).
            if (!_counts.TryGetValue(name, out var named)) _counts[name] = named = new NamedCounts(name);
            if (job.Value == _lastJob.Value) job = _lastJob;
            else _lastJob = job;
            Entry? entry = null;
            if (_live.Count + _ended.Count >= Capacity)
            {
                // The oldest ended record goes first (its storage is reused); a store full of live tasks drops its oldest.
                var victim = _ended.Head ?? _live.Head!;
                (victim.State >= TaskRecordState.Finished ? ref _ended : ref _live).Remove(victim);
                victim.Kept = false;
                _dropped++;
                if (victim.State >= TaskRecordState.Finished) entry = victim; // its caller is done with it
            }
            entry ??= new Entry();
            entry.TaskId = taskId;
            entry.Name = named.Name;
            entry.Job = job;
            entry.Attempt = attempt;
            entry.Counts = named.Counts;
            entry.Sequence = ++_sequence;
            entry.QueuedTicks = now;
            entry.StartedTicks = entry.EndedTicks = 0;
            entry.State = TaskRecordState.Pending;
            entry.Error = null;
            entry.Kept = true;
            entry.Generation++;
            named.Counts[(int)TaskRecordState.Pending]++;
            _live.AddLast(entry);
            return new Handle(entry, entry.Generation, taskId);
        }
    }

    /// <summary>The task's user code starts: it is Running. Returns the seconds it waited on this node since it arrived.</summary>
    public double Start(Handle handle)
    {
        var now = DateTime.UtcNow.Ticks;
        var entry = handle.Entry;
        lock (_lock)
        {
            // Started already, ended, or (ended and) reused for another task: a task starts once.
            if (entry.Generation != handle.Generation || entry.State != TaskRecordState.Pending) return 0;
            Move(entry, TaskRecordState.Running);
            entry.StartedTicks = now;
            return (now - entry.QueuedTicks) / (double)TimeSpan.TicksPerSecond;
        }
    }

    /// <summary>The task ended: Finished, or Failed with <paramref name="error"/> (its type and message are kept).</summary>
    public void End(Handle handle, RemoteError? error)
    {
        var now = DateTime.UtcNow.Ticks;
        var entry = handle.Entry;
        lock (_lock)
        {
            if (entry.Generation != handle.Generation || entry.State >= TaskRecordState.Finished) return; // ends once
            if (entry.Kept)
            {
                _live.Remove(entry);
                _ended.AddLast(entry);
            }
            Move(entry, error is null ? TaskRecordState.Finished : TaskRecordState.Failed);
            entry.EndedTicks = now;
            entry.Error = error;
            _tasksEnded++;
        }
    }

    private sealed class NamedCounts(string name)
    {
        public readonly string Name = name;
        public readonly long[] Counts = new long[4];
    }

    private static void Move(Entry entry, TaskRecordState to)
    {
        entry.Counts[(int)entry.State]--;
        entry.Counts[(int)to]++;
        entry.State = to;
    }

    /// <summary>Every task seen here by function name, each array indexed by (int)<see cref="TaskRecordState"/>; and the totals.</summary>
    public (Dictionary<string, long[]> ByName, long Ended, long Dropped) Counts()
    {
        lock (_lock)
        {
            var copy = new Dictionary<string, long[]>(_counts.Count, StringComparer.Ordinal);
            foreach (var (name, named) in _counts) copy[name] = (long[])named.Counts.Clone();
            return (copy, _tasksEnded, _dropped);
        }
    }

    /// <summary>Calls <paramref name="each"/> with every function name's counts, under the lock (for the metrics' callbacks; it must not block).</summary>
    public void ForEachCount<TState>(TState state, Action<TState, string, long[]> each)
    {
        lock (_lock)
            foreach (var (name, named) in _counts) each(state, name, named.Counts);
    }

    /// <summary>The kept records matching every filter given (null: any), newest arrival first, at most <paramref name="limit"/>.</summary>
    public TaskRecord[] Query(TaskRecordState? state, JobId? job, string? name, int limit)
    {
        if (limit <= 0) return [];
        var matches = new List<Snapshot>();
        lock (_lock)
        {
            foreach (var chain in (ReadOnlySpan<Entry?>)[_live.Head, _ended.Head])
                for (var e = chain; e is not null; e = e.Next)
                    if ((state is null || e.State == state) && (job is null || e.Job == job) && (name is null || string.Equals(e.Name, name, StringComparison.Ordinal)))
                        matches.Add(new Snapshot(e.Sequence, e.TaskId, e.Name, e.Job, e.Attempt, e.State, e.QueuedTicks, e.StartedTicks, e.EndedTicks, e.Error));
        }
        matches.Sort(static (a, b) => b.Sequence.CompareTo(a.Sequence));
        var count = Math.Min(limit, matches.Count);
        var records = new TaskRecord[count];
        for (var i = 0; i < count; i++) records[i] = matches[i].ToRecord();
        return records;
    }

    // What a query copies under the lock (an entry is reused once dropped): its fields as they were.
    private readonly record struct Snapshot(long Sequence, ObjectId TaskId, string Name, JobId Job, int Attempt, TaskRecordState State,
        long QueuedTicks, long StartedTicks, long EndedTicks, RemoteError? Error)
    {
        public TaskRecord ToRecord() => new()
        {
            TaskId = TaskId, Name = Name, State = State, Job = Job, Attempt = Attempt,
            QueuedAt = new DateTimeOffset(QueuedTicks, TimeSpan.Zero),
            StartedAt = StartedTicks == 0 ? null : new DateTimeOffset(StartedTicks, TimeSpan.Zero),
            EndedAt = EndedTicks == 0 ? null : new DateTimeOffset(EndedTicks, TimeSpan.Zero),
            Error = Error is null ? null : $"{Error.TypeName}: {Error.Message}",
        };
    }

    /// <summary>An intrusive doubly linked list of entries (no node allocation): append at the tail, remove anywhere.</summary>
    private struct Chain
    {
        public Entry? Head;
        private Entry? _tail;
        public int Count;

        public void AddLast(Entry entry)
        {
            entry.Previous = _tail;
            entry.Next = null;
            if (_tail is null) Head = entry;
            else _tail.Next = entry;
            _tail = entry;
            Count++;
        }

        public void Remove(Entry entry)
        {
            if (entry.Previous is null) Head = entry.Next;
            else entry.Previous.Next = entry.Next;
            if (entry.Next is null) _tail = entry.Previous;
            else entry.Next.Previous = entry.Previous;
            entry.Previous = entry.Next = null;
            Count--;
        }
    }
}
