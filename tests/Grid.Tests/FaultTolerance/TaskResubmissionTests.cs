using System.Diagnostics.Metrics;
using Grid.Tests.Core;
using Grid.Tests.Fixtures;
using Grid.Testing;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// A node dies (its silo is killed) while it holds tasks: running, queued, or in a batch still being answered. Every
/// task is resubmitted to live nodes while its <see cref="TaskOptions.MaxRetries"/> allows and then fails with
/// <see cref="NodeDiedException"/> naming the node; nothing waits forever; tasks on surviving nodes are unaffected.
/// Every task holds at a gate until the kill, so the dead node certainly had work, whatever the machine's speed.
/// </summary>
[Collection("node-kills")]
public sealed class TaskResubmissionTests
{
    private static readonly TimeSpan Timeout = SmallCluster.Timeout;

    [Fact]
    public async Task A_burst_loses_no_task_when_a_node_running_part_of_it_dies()
    {
        await using var small = await SmallCluster.StartAsync(3);
        using var retries = new RetryCounter();
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        FaultFunctions.Doom(run, GridTestCluster.NodeOf(victim));
        // The driver runs on the first silo (never killed) and submits the burst there: the node spills what it cannot
        // run to the others, which run two at a time and queue the rest. (A client outside reaches the nodes through
        // gateways, which in-process silos only imitate: the multi-process tests kill a real client's gateway.)
        var driver = Driver(small).Remote(run, 600);

        await Eventually.WaitAsync(() => FaultFunctions.StartedOn(run, GridTestCluster.NodeOf(victim)) >= 2 && FaultFunctions.StartedIn(run) >= 6,
            Timeout, "tasks of the burst running on every node");
        var killing = await KillAsync(small, victim, run);
        try
        {
            Assert.Equal(Enumerable.Range(0, 600).Select(i => 2 * i), await driver.GetAsync(Timeout));
            Assert.True(retries.Count >= 2, $"the dead node's tasks were retried ({retries.Count} retries)");
        }
        finally
        {
            await BuryAsync(run, killing);
        }
    }

    [Fact]
    public async Task Tasks_lost_with_their_node_are_retried_only_as_MaxRetries_allows_and_then_fail_naming_it()
    {
        await using var small = await SmallCluster.StartAsync(3);
        var run = Guid.NewGuid().ToString("N");
        var victim = small.Victim();
        FaultFunctions.Doom(run, GridTestCluster.NodeOf(victim));
        var node = GridTestCluster.NodeOf(victim);
        // Soft affinity, from a driver on the first silo: the node forwards each task to the victim.
        var noRetry = Driver<string, string, int, string[]>(small, FaultFunctions.DriveSoftPinned).Remote(run, node.Value, 0);
        var oneRetry = Driver<string, string, int, string[]>(small, FaultFunctions.DriveSoftPinned).Remote(run, node.Value, 1);

        await Eventually.WaitAsync(() => FaultFunctions.StartedOn(run, node) == 8, Timeout, "all eight tasks running on the victim");
        var killing = await KillAsync(small, victim, run);
        try
        {
            foreach (var outcome in await noRetry.GetAsync(Timeout))
            {
                Assert.StartsWith(nameof(NodeDiedException), outcome);
                Assert.Contains(node.Value, outcome);
                Assert.Contains("MaxRetries", outcome);
            }
            Assert.Equal(["0", "2", "4", "6"], await oneRetry.GetAsync(Timeout));
            Assert.Equal(4, FaultFunctions.StartedIn(run) - FaultFunctions.StartedOn(run, node)); // only the four with a retry ran again, elsewhere
        }
        finally
        {
            await BuryAsync(run, killing);
        }
    }

    /// <summary>
    /// A task pinned to the first silo (never killed) that submits a burst from there and returns its results. These
    /// tests drive from inside the cluster: a client outside reaches the nodes through gateways, whose deaths in-process
    /// silos (an in-memory transport) do not imitate faithfully; the multi-process tests kill a real client's gateway.
    /// </summary>
    private static RemoteFunction<string, int, int[]> Driver(GridTestCluster small) =>
        small.Grid.Function<string, int, int[]>(FaultFunctions.DriveBurst, PinnedToFirst(small));

    private static RemoteFunction<T1, T2, T3, TResult> Driver<T1, T2, T3, TResult>(GridTestCluster small, Func<T1, T2, T3, Task<TResult>> drive) =>
        small.Grid.Function(drive, PinnedToFirst(small));

    private static TaskOptions PinnedToFirst(GridTestCluster small) => new()
    {
        NumCpus = 0,
        Scheduling = SchedulingStrategy.NodeAffinity(GridTestCluster.NodeOf(small.Silos[0])),
    };

    /// <summary>
    /// Kills <paramref name="victim"/>, and opens the run's gate once the GCS lists the node dead. The victim's own tasks
    /// hold until the test ends (<see cref="FaultFunctions.Doom"/>), as a killed process's would never answer; an
    /// in-process kill returns only after the silo's running calls end, so it is awaited last.
    /// </summary>
    private static async Task<Task> KillAsync(GridTestCluster small, Orleans.TestingHost.InProcessSiloHandle victim, string run)
    {
        var killing = await small.KillAsync(victim);
        TestFunctions.Gate(run).SetResult(true);
        return killing;
    }

    /// <summary>Lets the dead silo's held tasks end, then waits for its kill to finish.</summary>
    private static async Task BuryAsync(string run, Task killing)
    {
        FaultFunctions.ReleaseDoomed(run);
        await killing;
    }

    /// <summary>Counts the client's task retries (the <c>grid.tasks.retried</c> counter) while it lives.</summary>
    private sealed class RetryCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public RetryCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "grid.tasks.retried") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
