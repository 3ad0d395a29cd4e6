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
/// and allocates nothing; the only allocation per task is its <see cref="Entry"/>. Reads (the head's once a second,
/// an API query) copy under the same lock and build their answers outside it.
/// </para>
/// </summary>
internal sealed class TaskRecords
{
    private readonly Lock _lock = new();
    // Kept records in two chains: those still live (pending, running) in arrival order, and those ended in end order.
    private Chain _live;
    private Chain _ended;
    private readonly Dictionary<string, long[]> _counts = new(StringComparer.Ordinal);
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

    /// <summary>A task attempt as this node sees it. The caller holds it from arrival to end and passes it back.</summary>
    internal sealed class Entry(ObjectId taskId, string name, JobId job, int attempt, long[] counts)
    {
        public readonly ObjectId TaskId = taskId;
        public readonly string Name = name;
        public readonly JobId Job = job;
        public readonly int Attempt = attempt;
        internal readonly long[] Counts = counts;
        internal long Sequence;
        internal long QueuedTicks, StartedTicks, EndedTicks;
        internal TaskRecordState State;
        internal RemoteError? Error;
        internal bool Kept;
        internal Entry? Previous, Next;

        /// <summary>When the task reached this node (UTC ticks).</summary>
        public long QueuedAtTicks => QueuedTicks;
    }

    /// <summary>A task attempt reached this node's queue (before its arguments or resources): it is Pending.</summary>
    public Entry Arrive(TaskSpec spec) => Arrive(spec.TaskId, spec.Function.DisplayName, spec.Job, spec.Attempt);

    public Entry Arrive(ObjectId taskId, string name, JobId job, int attempt)
    {
        var now = DateTime.UtcNow.Ticks;
        lock (_lock)
        {
            // The counts array of a name is created once per name and held by each of its entries: no lookup later.
            if (!_counts.TryGetValue(name, out var counts)) _counts[name] = counts = new long[4];
            var entry = new Entry(taskId, name, job, attempt, counts) { Sequence = ++_sequence, QueuedTicks = now, State = TaskRecordState.Pending, Kept = true };
            counts[(int)TaskRecordState.Pending]++;
            if (_live.Count + _ended.Count >= Capacity)
            {
                // The oldest ended record goes first; a store full of live tasks drops its oldest.
                var victim = _ended.Head ?? _live.Head!;
                (victim.State >= TaskRecordState.Finished ? ref _ended : ref _live).Remove(victim);
                victim.Kept = false;
                _dropped++;
            }
            _live.AddLast(entry);
            return entry;
        }
    }

    /// <summary>The task's user code starts: it is Running. Returns the seconds it waited on this node since it arrived.</summary>
    public double Start(Entry entry)
    {
        var now = DateTime.UtcNow.Ticks;
        lock (_lock)
        {
            if (entry.State != TaskRecordState.Pending) return 0; // started already (or ended): a task starts once
            Move(entry, TaskRecordState.Running);
            entry.StartedTicks = now;
        }
        return (now - entry.QueuedTicks) / (double)TimeSpan.TicksPerSecond;
    }

    /// <summary>The task ended: Finished, or Failed with <paramref name="error"/> (its type and message are kept).</summary>
    public void End(Entry entry, RemoteError? error)
    {
        var now = DateTime.UtcNow.Ticks;
        lock (_lock)
        {
            if (entry.State >= TaskRecordState.Finished) return; // ends once
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
            foreach (var (name, counts) in _counts) copy[name] = (long[])counts.Clone();
            return (copy, _tasksEnded, _dropped);
        }
    }

    /// <summary>Calls <paramref name="each"/> with every function name's counts, under the lock (for the metrics' callbacks; it must not block).</summary>
    public void ForEachCount<TState>(TState state, Action<TState, string, long[]> each)
    {
        lock (_lock)
            foreach (var (name, counts) in _counts) each(state, name, counts);
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
                        matches.Add(new Snapshot(e, e.State, e.StartedTicks, e.EndedTicks, e.Error));
        }
        matches.Sort(static (a, b) => b.Entry.Sequence.CompareTo(a.Entry.Sequence));
        var count = Math.Min(limit, matches.Count);
        var records = new TaskRecord[count];
        for (var i = 0; i < count; i++) records[i] = matches[i].ToRecord();
        return records;
    }

    // What a query copies under the lock: the entry's mutable fields as they were (its others never change).
    private readonly record struct Snapshot(Entry Entry, TaskRecordState State, long StartedTicks, long EndedTicks, RemoteError? Error)
    {
        public TaskRecord ToRecord() => new()
        {
            TaskId = Entry.TaskId, Name = Entry.Name, State = State, Job = Entry.Job, Attempt = Entry.Attempt,
            QueuedAt = new DateTimeOffset(Entry.QueuedTicks, TimeSpan.Zero),
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
