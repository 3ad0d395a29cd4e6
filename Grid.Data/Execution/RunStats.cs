using System.Collections.Concurrent;
using System.Diagnostics;

namespace Grid.Data.Execution;

/// <summary>The live counters of one run, per operator, fed by the metadata of every block the tasks report.</summary>
internal sealed class RunStats
{
    private readonly List<OperatorCounters> _operators = [];
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    public ConcurrentBag<string> Files { get; } = [];

    public IReadOnlyList<OperatorCounters> Operators { get { lock (_operators) return [.. _operators]; } }

    /// <summary>Counters for the operators of one stage (a fused stage has several), in plan order.</summary>
    public OperatorCounters[] Stage(IEnumerable<string> names)
    {
        var stage = names.Select(n => new OperatorCounters(n)).ToArray();
        lock (_operators) _operators.AddRange(stage);
        return stage;
    }

    public void Record(OperatorCounters[] stage, BlockMeta meta)
    {
        for (int i = 0; i < stage.Length; i++)
            stage[i].Add(i < meta.OpRows.Length ? meta.OpRows[i] : meta.Rows, i < meta.OpSeconds.Length ? meta.OpSeconds[i] : 0,
                i == stage.Length - 1 && !meta.Empty ? meta.Bytes : 0, i == stage.Length - 1 && !meta.Empty);
        if (meta.Files is { } files) foreach (var file in files) Files.Add(file);
    }

    /// <summary>Counts a block that passed a driver-side operator (a limit, a put), whatever its metadata says of earlier operators.</summary>
    public void RecordBlock(OperatorCounters counters, BlockMeta meta) => counters.Add(meta.Rows, 0, meta.Bytes, block: true);

    public DatasetStats Snapshot() => new([.. Operators.Select(o => o.Snapshot())], _wall.Elapsed);
}

internal sealed class OperatorCounters(string name)
{
    private long _rows, _bytes, _ticks;
    private int _blocks, _tasks;

    public string Name { get; } = name;
    public long Rows => Interlocked.Read(ref _rows);
    public int Blocks => Volatile.Read(ref _blocks);
    public bool Done { get; set; }

    public void TaskStarted() => Interlocked.Increment(ref _tasks);

    public void Add(long rows, double seconds, long bytes, bool block)
    {
        Interlocked.Add(ref _rows, rows);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _ticks, TimeSpan.FromSeconds(seconds).Ticks);
        if (block) Interlocked.Increment(ref _blocks);
    }

    public OperatorStats Snapshot() => new(Name, Volatile.Read(ref _tasks), Blocks, Rows, Interlocked.Read(ref _bytes), TimeSpan.FromTicks(Interlocked.Read(ref _ticks)));
}
