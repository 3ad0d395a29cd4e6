using System.Collections.Concurrent;

namespace Grid.Tests.Core;

/// <summary>Remote functions and actor classes used by the core behaviour tests.</summary>
public static class TestFunctions
{
    /// <summary>Gates that tests open from outside; tasks wait on them (in-process clusters share them).</summary>
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> Gates = new();

    public static TaskCompletionSource<bool> Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));

    public static async Task<int> ReturnWhenOpened(string gate, int value)
    {
        await Gate(gate).Task;
        return value;
    }

    public static int Increment(int x) => x + 1;

    /// <summary>Submits a 1-CPU task and waits for it: only possible if waiting gives this task's CPUs back.</summary>
    public static async Task<int> WaitOnNested(int x) =>
        await GridContext.Current.Grid.Function<int, int>(Increment).Remote(x);

    /// <summary>Calls the named Recorder <paramref name="count"/> times from inside a task (the node's own worker).</summary>
    public static async Task<int[]> CallRecorder(string name, int count)
    {
        var grid = GridContext.Current.Grid;
        var actor = await grid.GetActorAsync<Recorder>(name);
        return await grid.GetAsync(Enumerable.Range(0, count).Select(i => actor.Call(a => a.Record(i))));
    }

    public static string WhereAmI(int _) => GridContext.Current.NodeId.Value;

    public static int Fail(string message) => Thrower.Throw(message);

    public static long Checksum(byte[] data)
    {
        long sum = 0;
        for (var i = 0; i < data.Length; i += 4096) sum = sum * 31 + data[i];
        return sum + data[^1];
    }

    public static (string Node, long Checksum, int Length) ChecksumWhere(byte[] data) =>
        (GridContext.Current.NodeId.Value, Checksum(data), data.Length);

    public static bool SameBytes(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    public static byte[] MakeBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

public static class Thrower
{
    public static int Throw(string message) => throw new InvalidOperationException(message);
}

public sealed class Recorder
{
    private readonly List<int> _seen = [];
    public int Record(int value) { _seen.Add(value); return value; }

    public async Task<int> RecordWhenOpened(string gate, int value)
    {
        await TestFunctions.Gate(gate).Task;
        return Record(value);
    }

    /// <summary>Blocks its thread (not awaiting) until the gate opens.</summary>
    public int BlockUntilOpened(string gate, int value)
    {
        TestFunctions.Gate(gate).Task.Wait(TimeSpan.FromSeconds(60));
        return Record(value);
    }

    /// <summary>Opens <paramref name="started"/>, then blocks its thread until <paramref name="gate"/> opens.</summary>
    public int SignalThenBlock(string started, string gate, int value)
    {
        TestFunctions.Gate(started).TrySetResult(true);
        return BlockUntilOpened(gate, value);
    }

    public string MyActorId() => GridContext.Current.ActorId?.Value ?? "";
    public List<int> Seen() => [.. _seen];
}

public sealed class BrokenActor
{
    public BrokenActor(string why) => throw new ArgumentException(why);
    public int Ping() => 1;
}

public sealed class Holder
{
    public Action? Callback { get; set; }
}
