using System.Collections.Concurrent;

namespace Grid.Tests.Objects;

/// <summary>Remote functions of the object-store tests.</summary>
public static class ObjectTestFunctions
{
    private static readonly ConcurrentDictionary<string, StrongBox> Counters = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public sealed class StrongBox { public int Value; }

    public static StrongBox Counter(string key) => Counters.GetOrAdd(key, _ => new StrongBox());

    public static TaskCompletionSource Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Reads every element of a zero-copy view, says it holds it, and keeps holding it until the gate opens.</summary>
    public static async Task<double> SumAndHold(ReadOnlyMemory<double> data, string run)
    {
        var sum = 0.0;
        foreach (var x in data.Span) sum += x;
        Interlocked.Increment(ref Counter(run).Value);
        await Gate(run).Task;
        GC.KeepAlive(data);
        return sum;
    }
}
