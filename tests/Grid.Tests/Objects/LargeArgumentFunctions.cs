using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Grid.Tests.Core;

namespace Grid.Tests.Objects;

/// <summary>Remote functions and an actor of the large-argument tests.</summary>
public static class LargeArgumentFunctions
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Started = new();

    /// <summary>Set once a task that holds its argument is running.</summary>
    public static TaskCompletionSource StartedSignal(string key) =>
        Started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Reads its argument, says it runs, and keeps running until the test opens <paramref name="gate"/>.</summary>
    public static async Task<long> ChecksumWhenOpened(byte[] data, string gate)
    {
        var sum = TestFunctions.Checksum(data);
        StartedSignal(gate).TrySetResult();
        await TestFunctions.Gate(gate).Task;
        return sum;
    }

    /// <summary>What a zero-copy parameter sees: its length, whether it is a copy (an array), and its sum.</summary>
    public static (int Length, bool IsCopy, double Sum) ViewOf(ReadOnlyMemory<double> data)
    {
        var sum = 0.0;
        foreach (var x in data.Span) sum += x;
        return (data.Length, MemoryMarshal.TryGetArray(data, out _), sum);
    }

    public static int CountOf(long[] first, long[] second, string name) => first.Length + second.Length + name.Length;
}

/// <summary>An actor built from and fed with large arrays.</summary>
public sealed class LargeHolder(long[] initial)
{
    private long[] _data = initial;

    public long Checksum() => ClientPutFunctions.Checksum(_data);

    public long Replace(long[] data)
    {
        _data = data;
        return ClientPutFunctions.Checksum(data);
    }

    public long[] Data() => _data;

    public long ChecksumOf(LargeRecord record) => ClientPutFunctions.RecordChecksum(record);
}
