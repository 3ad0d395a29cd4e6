using System.Collections.Concurrent;

namespace Grid.Dashboard.Tests.Browser;

/// <summary>The work the browser test gives the cluster: tasks held on gates the test opens, and an actor to name.</summary>
public static class PageTestFunctions
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> Gates = new();

    /// <summary>A gate the test opens from outside (the silos run in this process, so they share it).</summary>
    public static TaskCompletionSource<bool> Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Runs until the gate opens.</summary>
    public static async Task<int> Hold(string gate)
    {
        await Gate(gate).Task;
        return 1;
    }

    public static int Square(int x) => x * x;
}

/// <summary>An actor to find by name on the page.</summary>
public sealed class PageCounter
{
    private int _count;
    public int Add(int n) => _count += n;
}
