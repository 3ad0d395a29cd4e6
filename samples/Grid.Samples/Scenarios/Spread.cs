namespace Grid.Samples.Scenarios;

/// <summary>S13: a client's tasks spread over the nodes of a cluster started with the <c>grid</c> command.</summary>
public static class Spread
{
    /// <summary>The node the task runs on.</summary>
    public static string WhereAmI(int i) => GridContext.Current.NodeId.Value;

    /// <summary>Runs <paramref name="tasks"/> tasks and counts how many ran on each node.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> AcrossNodesAsync(GridClient grid, int tasks = 30)
    {
        var whereAmI = grid.Function<int, string>(WhereAmI);
        var nodes = await grid.GetAsync(Enumerable.Range(0, tasks).Select(i => whereAmI.Remote(i)).ToList());
        return nodes.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
    }
}
