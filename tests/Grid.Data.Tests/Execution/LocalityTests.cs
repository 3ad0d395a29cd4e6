using Grid.Testing;

namespace Grid.Data.Tests.Execution;

public sealed record Made(long Id, string MadeOn);
public sealed record Mapped(long Id, string MadeOn, string MappedOn);

/// <summary>A row-wise task runs where its input block lives when that node has room.</summary>
public sealed class LocalityTests
{
    [Fact]
    public async Task A_task_after_another_operator_runs_on_the_node_holding_its_block()
    {
        await using var cluster = await new GridTestClusterBuilder().Silos(3).ConfigureNodes(o => o.NumCpus = 4).StartAsync();
        var grid = cluster.Grid;
        // Twelve blocks made on whichever nodes the scheduler picks, kept in the store, then mapped again.
        var made = await grid.Range(12_000, blocks: 12)
            .Map(static (IdRow r) => new Made(r.Id, GridContext.Current.NodeId.Value))
            .WithOptions(o => o with { MaxTasksInFlight = 12 })
            .MaterializeAsync();
        var rows = await made.Map(static (Made m) => new Mapped(m.Id, m.MadeOn, GridContext.Current.NodeId.Value)).TakeAllAsync<Mapped>();
        Assert.Equal(12_000, rows.Count);
        Assert.True(rows.Select(r => r.MadeOn).Distinct().Count() > 1, "the blocks were made on one node only: nothing to show");
        Assert.All(rows, r => Assert.Equal(r.MadeOn, r.MappedOn));
    }
}
