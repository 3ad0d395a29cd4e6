using Grid.Dashboard.Diagnostics;
using Grid.Grains;
using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Dashboard.State;

/// <summary>
/// Asks the nodes for their live figures and task records (<see cref="INodeStateGrain"/>), all at once. A node that does not
/// answer within <see cref="Patience"/> (dying, partitioned, overloaded) counts as not answering: its figures are null, its
/// records absent. One slow node never holds up a page.
/// </summary>
internal sealed class NodeProbe(IGrainFactory grains, ILogger<NodeProbe> logger)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    /// <summary>The stats of each node that answered, by node.</summary>
    public async Task<IReadOnlyDictionary<NodeId, NodeStats>> StatsAsync(IEnumerable<NodeInfo> nodes, CancellationToken cancellationToken)
    {
        var answers = await AskAllAsync(nodes, g => g.GetStats(), cancellationToken).ConfigureAwait(false);
        return answers.ToDictionary(a => a.Key, a => a.Value);
    }

    /// <summary>Every task record each answering node keeps, with its node.</summary>
    public async Task<IReadOnlyList<(NodeId Node, TaskRecord Record)>> TasksAsync(IEnumerable<NodeInfo> nodes, CancellationToken cancellationToken)
    {
        var answers = await AskAllAsync(nodes, g => g.GetTasks(null, null, null, int.MaxValue), cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(a => a.Value.Select(r => (a.Key, r)))];
    }

    private async Task<List<KeyValuePair<NodeId, T>>> AskAllAsync<T>(IEnumerable<NodeInfo> nodes, Func<INodeStateGrain, Task<T>> ask,
        CancellationToken cancellationToken) where T : class
    {
        var asked = nodes.Where(n => n.State == NodeState.Alive).Select(async n =>
        {
            try
            {
                var answer = await ask(grains.GetGrain<INodeStateGrain>(n.NodeId.Value)).WaitAsync(Patience, cancellationToken).ConfigureAwait(false);
                return KeyValuePair.Create(n.NodeId, (T?)answer);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                DashboardLog.NodeDidNotAnswer(logger, n.NodeId, e.Message);
                return KeyValuePair.Create(n.NodeId, (T?)null);
            }
        });
        var answers = await Task.WhenAll(asked).ConfigureAwait(false);
        return [.. answers.Where(a => a.Value is not null).Select(a => KeyValuePair.Create(a.Key, a.Value!))];
    }
}
