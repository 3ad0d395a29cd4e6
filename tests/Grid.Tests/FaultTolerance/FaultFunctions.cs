using System.Collections.Concurrent;
using Grid.Tests.Core;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// Tasks for the node-death tests: each records the node it started on, then holds until its run's gate opens. On the
/// node a test is about to kill, tasks hold until the test ends: in-process silos share this process, so a killed
/// silo's tasks would otherwise go on running (a killed process's would not).
/// </summary>
public static class FaultFunctions
{
    private static readonly ConcurrentDictionary<(string Run, string Node), int> Started = new();
    private static readonly ConcurrentDictionary<string, string> Doomed = new();

    /// <summary>Tasks of <paramref name="run"/> that start on <paramref name="node"/> hold until <see cref="ReleaseDoomed"/>.</summary>
    public static void Doom(string run, NodeId node) => Doomed[run] = node.Value;

    public static void ReleaseDoomed(string run) => TestFunctions.Gate(run + "/doomed").TrySetResult(true);

    /// <summary>How many tasks of <paramref name="run"/> have started on <paramref name="node"/> (retries included).</summary>
    public static int StartedOn(string run, NodeId node) => Started.GetValueOrDefault((run, node.Value));

    public static int StartedIn(string run) => Started.Where(p => p.Key.Run == run).Sum(p => p.Value);

    /// <summary>A driver inside the cluster: submits <paramref name="count"/> gated tasks from this node and returns their results.</summary>
    public static async Task<int[]> DriveBurst(string run, int count)
    {
        var grid = GridContext.Current.Grid;
        var work = grid.Function<string, int, int>(DoubleWhenOpened);
        return await grid.GetAsync(Enumerable.Range(0, count).Select(i => work.Remote(run, i)).ToArray(), TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// A driver inside the cluster: submits four gated tasks soft-pinned to <paramref name="target"/> with
    /// <paramref name="retries"/> retries, and returns each outcome: its value, or its error's type and message.
    /// </summary>
    public static async Task<string[]> DriveSoftPinned(string run, string target, int retries)
    {
        var grid = GridContext.Current.Grid;
        var work = grid.Function<string, int, int>(DoubleWhenOpened, new TaskOptions
        {
            NumCpus = 0.25, MaxRetries = retries, Scheduling = SchedulingStrategy.NodeAffinity(new NodeId(target), soft: true),
        });
        var refs = Enumerable.Range(0, 4).Select(i => work.Remote(run, i)).ToArray();
        var outcomes = new string[refs.Length];
        for (var i = 0; i < refs.Length; i++)
        {
            try { outcomes[i] = (await refs[i].GetAsync(TimeSpan.FromSeconds(90))).ToString(); }
            catch (Exception e) { outcomes[i] = $"{e.GetType().Name}: {e.Message}"; }
        }
        return outcomes;
    }

    /// <summary>Starts, waits for the gate named <paramref name="run"/>, returns twice <paramref name="x"/>.</summary>
    public static async Task<int> DoubleWhenOpened(string run, int x)
    {
        var node = GridContext.Current.NodeId.Value;
        Started.AddOrUpdate((run, node), 1, static (_, n) => n + 1);
        await TestFunctions.Gate(Doomed.TryGetValue(run, out var doomed) && doomed == node ? run + "/doomed" : run).Task;
        return 2 * x;
    }
}
