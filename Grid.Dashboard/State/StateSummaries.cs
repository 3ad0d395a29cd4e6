using Grid.Dashboard.Web;
using Grid.Grains;
using Grid.State;
using Microsoft.AspNetCore.Http;

namespace Grid.Dashboard.State;

/// <summary>
/// <c>GET /api/summary/{tasks|actors|objects}</c> (Ray's <c>ray summary</c>): tasks by function and state, exact (the nodes'
/// counters, not the bounded records), actors by class and state, objects by node (COUNT, BYTES, SPILLED_BYTES).
/// </summary>
internal sealed class StateSummaries(StateReader state)
{
    public static readonly string[] Kinds = ["tasks", "actors", "objects"];

    public Task<StateSummary> SummarizeAsync(string kind, CancellationToken cancellationToken) => kind.ToLowerInvariant() switch
    {
        "tasks" => TasksAsync(cancellationToken),
        "actors" => ActorsAsync(cancellationToken),
        "objects" => ObjectsAsync(cancellationToken),
        _ => throw new ApiRequestException(StatusCodes.Status404NotFound, $"There is no summary of '{kind}'; there are: {string.Join(", ", Kinds)}."),
    };

    /// <summary>Every node's counts by function and state, summed; every state present (0 when none).</summary>
    public static StateSummary TaskCounts(IEnumerable<NodeStats> stats)
    {
        var byName = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long dropped = 0;
        foreach (var s in stats)
        {
            dropped += s.TaskRecordsDropped;
            foreach (var (name, counts) in s.TaskCountsByName)
            {
                if (!byName.TryGetValue(name, out var sum)) byName[name] = sum = new long[StateNames.TaskStates.Length];
                for (var i = 0; i < Math.Min(counts.Length, sum.Length); i++) sum[i] += counts[i];
            }
        }
        return new StateSummary
        {
            Kind = "tasks",
            ByState = StateNames.TaskStates.Select((state, i) => (state, i)).ToDictionary(s => s.state, s => byName.Values.Sum(c => c[s.i])),
            Rows = [.. byName.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new SummaryRow(kv.Key, StateNames.TaskStates.Select((state, i) => (state, i)).Where(s => kv.Value[s.i] != 0).ToDictionary(s => s.state, s => kv.Value[s.i])))],
            Dropped = dropped,
        };
    }

    private async Task<StateSummary> TasksAsync(CancellationToken cancellationToken) =>
        TaskCounts(await state.StatsAsync(cancellationToken).ConfigureAwait(false));

    private async Task<StateSummary> ActorsAsync(CancellationToken cancellationToken)
    {
        var actors = await state.ActorsAsync(cancellationToken).ConfigureAwait(false);
        return new StateSummary
        {
            Kind = "actors",
            ByState = actors.GroupBy(a => a.State).ToDictionary(g => g.Key, g => (long)g.Count()),
            Rows = [.. actors.GroupBy(a => a.ClassName).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new SummaryRow(g.Key, g.GroupBy(a => a.State).ToDictionary(s => s.Key, s => (long)s.Count())))],
        };
    }

    private async Task<StateSummary> ObjectsAsync(CancellationToken cancellationToken)
    {
        var rows = (await state.MemoryAsync(cancellationToken).ConfigureAwait(false)).Rows;
        static Dictionary<string, long> Counts(IEnumerable<Grid.Wire.MemoryRow> rows) => new()
        {
            ["COUNT"] = rows.Count(),
            ["BYTES"] = rows.Sum(r => r.Size),
            ["SPILLED_BYTES"] = rows.Where(r => r.Spilled).Sum(r => r.Size),
        };
        return new StateSummary
        {
            Kind = "objects",
            ByState = Counts(rows),
            Rows = [.. rows.GroupBy(r => r.Node.Value).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new SummaryRow(g.Key, Counts(g)))],
        };
    }
}
