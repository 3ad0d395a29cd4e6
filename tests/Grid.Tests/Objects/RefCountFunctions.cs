using System.Collections.Concurrent;

namespace Grid.Tests.Objects;

/// <summary>Remote functions and an actor of the reference-counting tests.</summary>
public static class RefCountFunctions
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public static TaskCompletionSource Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static int Length(byte[] data) => data.Length;

    public static byte[] MakeBytes(int size) => new byte[size];

    /// <summary>Waits for the gate, then fails: its argument must stay alive until then, and be released after.</summary>
    public static async Task<int> FailAfterGate(byte[] data, string gate)
    {
        await Gate(gate).Task;
        throw new InvalidOperationException($"failing on purpose after reading {data.Length} bytes");
    }

    /// <summary>Puts a value from inside a task: the node's core worker owns it; the caller borrows the returned ref.</summary>
    public static async Task<ObjectRef<byte[]>> PutOnNode(int size) =>
        await GridContext.Current.Grid.PutAsync(new byte[size]);

    /// <summary>Puts <paramref name="count"/> values from inside a task and returns their refs in one value.</summary>
    public static async Task<ObjectRef<byte[]>[]> PutManyOnNode(int count, int size)
    {
        var refs = new ObjectRef<byte[]>[count];
        for (var i = 0; i < count; i++) refs[i] = await GridContext.Current.Grid.PutAsync(new byte[size]);
        return refs;
    }
}

/// <summary>An actor that keeps refs it was given, and reads them on request.</summary>
public sealed class RefHolder(ObjectRef<byte[]>[] refs)
{
    public async Task<int> TotalLength()
    {
        var total = 0;
        foreach (var r in refs) total += (await r.GetAsync(TimeSpan.FromSeconds(60))).Length;
        return total;
    }
}
