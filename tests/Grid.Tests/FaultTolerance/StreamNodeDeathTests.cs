using System.Collections.Concurrent;
using Grid.Tests.Core;
using Grid.Tests.Fixtures;
using Grid.Testing;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// The node producing a stream (Ray's streaming generator) dies mid-stream, its silo really killed: without retries the
/// consumer gets the items it had, then <see cref="NodeDiedException"/> as the next item, then the end; with retries the
/// task runs again on another node and the consumer sees every item exactly once, in order. The producer's first attempt
/// holds at a gate after yielding a known number of items, so the kill certainly lands mid-stream. The consumer is a
/// driver task on the first silo (never killed), as in <see cref="TaskResubmissionTests"/>.
/// </summary>
[Collection("node-kills")]
public sealed class StreamNodeDeathTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Without_retries_the_consumer_gets_its_items_then_NodeDiedException_then_the_end()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        var node = GridTestCluster.NodeOf(victim);
        // The first attempt yields 3 items and holds; the consumer takes the 3 and waits for more.
        var driver = Driver(small).Remote(run, node.Value, 0, 10, 3, 3);

        await TestFunctions.Gate(run + "/took").Task.WaitAsync(Timeout);
        await StreamRun.Of(run).YieldedAt(3).WaitAsync(Timeout);
        Assert.Equal(1, StreamFaultFunctions.StartedOn(run, node));
        var killing = await small.KillAsync(victim);
        TestFunctions.Gate(run + "/killed").SetResult(true);
        try
        {
            var outcomes = await driver.GetAsync(Timeout);
            Assert.Equal(6, outcomes.Length);
            Assert.Equal(["0", "1", "2"], outcomes[..3]);
            Assert.StartsWith(nameof(NodeDiedException), outcomes[3]);
            Assert.Contains(node.Value, outcomes[3]);
            Assert.Equal("end", outcomes[4]);
            Assert.StartsWith("completion " + nameof(NodeDiedException), outcomes[5]);
            Assert.Equal(1, StreamFaultFunctions.StartedIn(run)); // not run again
        }
        finally
        {
            await BuryAsync(run, killing);
        }
    }

    [Fact]
    public async Task With_retries_the_stream_resumes_on_another_node_and_the_consumer_sees_each_item_once_in_order()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        var node = GridTestCluster.NodeOf(victim);
        // The first attempt yields 5 items and holds; the consumer takes 3 and holds too, so 2 items produced by the
        // dead attempt were never taken when it dies.
        var driver = Driver(small).Remote(run, node.Value, 1, 12, 5, 3);

        await TestFunctions.Gate(run + "/took").Task.WaitAsync(Timeout);
        await StreamRun.Of(run).YieldedAt(5).WaitAsync(Timeout);
        Assert.Equal(1, StreamFaultFunctions.StartedOn(run, node));
        var killing = await small.KillAsync(victim);
        TestFunctions.Gate(run + "/killed").SetResult(true);
        try
        {
            var outcomes = await driver.GetAsync(Timeout);
            Assert.Equal([.. Enumerable.Range(0, 12).Select(i => i.ToString()), "end", "completion 12"], outcomes);
            Assert.Equal(2, StreamFaultFunctions.StartedIn(run)); // run again once, elsewhere
            Assert.Equal(1, StreamFaultFunctions.StartedOn(run, node));
        }
        finally
        {
            await BuryAsync(run, killing);
        }
    }

    private static RemoteFunction<string, string, int, int, int, int, string[]> Driver(GridTestCluster small) =>
        small.Grid.Function<string, string, int, int, int, int, string[]>(StreamFaultFunctions.DriveStream, new TaskOptions
        {
            NumCpus = 0,
            Scheduling = SchedulingStrategy.NodeAffinity(GridTestCluster.NodeOf(small.Silos[0])),
        });

    /// <summary>Lets the dead silo's held producer end, then waits for its kill to finish.</summary>
    private static async Task BuryAsync(string run, Task killing)
    {
        TestFunctions.Gate(run + "/doomed").TrySetResult(true);
        await killing;
    }
}

/// <summary>The producer and consumer of the stream node-death tests.</summary>
public static class StreamFaultFunctions
{
    private static readonly ConcurrentDictionary<(string Run, string Node), int> Started = new();

    public static int StartedOn(string run, NodeId node) => Started.GetValueOrDefault((run, node.Value));

    public static int StartedIn(string run) => Started.Where(p => p.Key.Run == run).Sum(p => p.Value);

    /// <summary>
    /// Yields 0..<paramref name="total"/>-1. The first attempt holds after <paramref name="firstAttemptYields"/> items
    /// until the test ends (its node is killed meanwhile), then stops; a later attempt runs through.
    /// </summary>
    public static async IAsyncEnumerable<int> Numbers(string run, int total, int firstAttemptYields)
    {
        var context = GridContext.Current;
        Started.AddOrUpdate((run, context.NodeId.Value), 1, static (_, n) => n + 1);
        var r = StreamRun.Of(run);
        for (var i = 0; i < total; i++)
        {
            if (context.Attempt == 0 && i == firstAttemptYields)
            {
                await TestFunctions.Gate(run + "/doomed").Task;
                yield break;
            }
            if (context.Attempt == 0) r.Yield();
            await Task.Yield();
            yield return i;
        }
    }

    /// <summary>
    /// A consumer inside the cluster: streams <see cref="Numbers"/> soft-pinned to <paramref name="target"/> with
    /// <paramref name="retries"/> retries, and returns each item's outcome (its value, or its error's type and message),
    /// "end", and the task's own outcome. After taking <paramref name="take"/> items it opens the gate "took" and waits
    /// for the gate "killed".
    /// </summary>
    public static async Task<string[]> DriveStream(string run, string target, int retries, int total, int firstAttemptYields, int take)
    {
        var timeout = TimeSpan.FromSeconds(60);
        var grid = GridContext.Current.Grid;
        var numbers = grid.Function<string, int, int, IAsyncEnumerable<int>>(Numbers, new TaskOptions
        {
            NumCpus = 0.25, MaxRetries = retries, Scheduling = SchedulingStrategy.NodeAffinity(new NodeId(target), soft: true),
        });
        var outcomes = new List<string>();
        await using (var stream = numbers.RemoteStream(run, total, firstAttemptYields))
        {
            while (await stream.NextAsync().AsTask().WaitAsync(timeout) is { } item)
            {
                try { outcomes.Add((await item.GetAsync(timeout)).ToString()); }
                catch (Exception e) { outcomes.Add($"{e.GetType().Name}: {e.Message}"); }
                if (outcomes.Count == take)
                {
                    TestFunctions.Gate(run + "/took").TrySetResult(true);
                    await TestFunctions.Gate(run + "/killed").Task.WaitAsync(timeout);
                }
            }
            outcomes.Add("end");
            try { outcomes.Add($"completion {await stream.Completion.GetAsync(timeout)}"); }
            catch (Exception e) { outcomes.Add($"completion {e.GetType().Name}: {e.Message}"); }
        }
        return [.. outcomes];
    }
}
