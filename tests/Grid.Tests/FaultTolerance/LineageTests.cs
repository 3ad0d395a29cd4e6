using System.Collections.Concurrent;
using Grid.Testing;
using Grid.Tests.Fixtures;
using Orleans.TestingHost;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// Lineage reconstruction: a stored task result whose only copy was on a node that died is made again by its owner,
/// which re-runs the task (and, in turn, a lost argument's task); a get then returns the rebuilt value. A put's value
/// has no task to re-run: its loss is an <see cref="ObjectLostException"/> naming the object and the node.
/// </summary>
[Collection("node-kills")]
public sealed class LineageTests
{
    private static readonly TimeSpan Timeout = SmallCluster.Timeout;

    /// <summary>Elements in a result: 400 KB of longs, past the inline threshold, so it lives in the store of the node that made it.</summary>
    private const int Length = 50_000;

    [Fact]
    public async Task A_lost_task_result_is_rebuilt_by_running_its_task_again()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        var make = small.Grid.Function<string, int, long[]>(LineageFunctions.Make, On(victim));
        var made = make.Remote(run, 7);
        Assert.Equal(LineageFunctions.Expected(7), await made.GetAsync(Timeout));

        var killing = await small.KillAsync(victim);
        Assert.Equal(LineageFunctions.Expected(7), await made.GetAsync(Timeout));

        Assert.Equal([GridTestCluster.NodeOf(victim).Value, "elsewhere"], LineageFunctions.Runs(run, "make", GridTestCluster.NodeOf(victim)));
        await killing;
    }

    [Fact]
    public async Task A_lost_chain_of_two_results_is_rebuilt_argument_first()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        var node = GridTestCluster.NodeOf(victim);
        var make = small.Grid.Function<string, int, long[]>(LineageFunctions.Make, On(victim));
        var next = small.Grid.Function<string, long[], long[]>(LineageFunctions.Next, On(victim));
        var first = make.Remote(run, 3);
        var second = next.Remote(run, first);
        Assert.Equal(LineageFunctions.Expected(4), await second.GetAsync(Timeout));

        var killing = await small.KillAsync(victim);
        Assert.Equal(LineageFunctions.Expected(4), await second.GetAsync(Timeout));

        // Both ran again elsewhere: the second's rebuild found its argument lost too, and its owner rebuilt that first.
        Assert.Equal([node.Value, "elsewhere"], LineageFunctions.Runs(run, "make", node));
        Assert.Equal([node.Value, "elsewhere"], LineageFunctions.Runs(run, "next", node));
        GC.KeepAlive(first);
        await killing;
    }

    [Fact]
    public async Task A_lost_put_fails_with_ObjectLostException_naming_the_object_and_the_node()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var victim = small.Victim();
        var node = GridTestCluster.NodeOf(victim);
        // A client spreads its puts over the nodes it is connected to; put until one lands on the victim, and note
        // which puts have their only copy there: exactly those are lost.
        var puts = new List<ObjectRef<long[]>>();
        var onVictim = new List<bool>();
        while (!onVictim.Contains(true))
        {
            Assert.True(puts.Count < 30, "no put landed on the victim node");
            var put = await small.Grid.PutAsync(LineageFunctions.Expected(puts.Count));
            puts.Add(put);
            onVictim.Add((await small.Grid.MemorySummaryAsync()).Rows.Single(r => r.Id == put.Id && r.Owner is not null).Node == node);
        }

        var killing = await small.KillAsync(victim);
        for (var i = 0; i < puts.Count; i++)
        {
            if (!onVictim[i])
            {
                Assert.Equal(LineageFunctions.Expected(i), await puts[i].GetAsync(Timeout));
                continue;
            }
            var e = await Assert.ThrowsAsync<ObjectLostException>(() => puts[i].GetAsync(Timeout));
            Assert.Contains(puts[i].Id.ToString(), e.Message);
            Assert.Contains(node.Value, e.Message);
            Assert.Contains("put it again", e.Message);
        }
        await killing;
    }

    [Fact]
    public async Task A_lost_result_of_a_task_with_no_retries_is_not_rebuilt()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        var make = small.Grid.Function<string, int, long[]>(LineageFunctions.Make, On(victim) with { MaxRetries = 0 });
        var made = make.Remote(run, 1);
        Assert.Equal(LineageFunctions.Expected(1), await made.GetAsync(Timeout));

        var killing = await small.KillAsync(victim);
        var error = await Assert.ThrowsAsync<ObjectLostException>(() => made.GetAsync(Timeout));
        Assert.Contains("MaxRetries = 0", error.Message);
        Assert.Equal([GridTestCluster.NodeOf(victim).Value], LineageFunctions.Runs(run, "make", GridTestCluster.NodeOf(victim)));
        await killing;
    }

    /// <summary>Runs on the victim while it lives (soft affinity: anywhere once it is gone).</summary>
    private static TaskOptions On(InProcessSiloHandle victim) => new()
    {
        NumCpus = 0.5,
        Scheduling = SchedulingStrategy.NodeAffinity(GridTestCluster.NodeOf(victim), soft: true),
    };
}

/// <summary>Tasks that record where each run happened (the silos share this process).</summary>
public static class LineageFunctions
{
    private static readonly ConcurrentDictionary<(string Run, string Task), ConcurrentQueue<string>> RunsOn = new();

    public static long[] Expected(int seed) => [.. Enumerable.Range(0, 50_000).Select(i => (long)seed * 1_000_000 + i)];

    public static long[] Make(string run, int seed)
    {
        Record(run, "make");
        return Expected(seed);
    }

    public static long[] Next(string run, long[] previous)
    {
        Record(run, "next");
        return [.. previous.Select(v => v + 1_000_000)];
    }

    /// <summary>The nodes <paramref name="task"/> of <paramref name="run"/> ran on, in order, with any node but <paramref name="named"/> as "elsewhere".</summary>
    public static string[] Runs(string run, string task, NodeId named) =>
        [.. RunsOn.GetValueOrDefault((run, task), []).Select(n => n == named.Value ? n : "elsewhere")];

    private static void Record(string run, string task) =>
        RunsOn.GetOrAdd((run, task), _ => new()).Enqueue(GridContext.Current!.NodeId.Value);
}
