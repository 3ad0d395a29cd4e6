using Grid.Bench.Baselines;
using Grid.Bench.Harness;

namespace Grid.Bench.Cases;

/// <summary>
/// Ray's placement_group_create/removal: 100 groups of one {"custom": 0.001} bundle are created, each
/// waited for, then all removed, per step (multiplier 100; Ray 2.9.0: 818/s). Every bench node
/// declares {"custom": 100} (<see cref="Topology.TopologyFactory"/>). The baseline makes the same
/// three calls per group (reserve, ask, release) to a fresh grain per group.
/// </summary>
public static class PlacementGroupCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        var grid = ctx.Grid;
        var count = ctx.Options.Batch(100);
        IReadOnlyDictionary<string, double>[] bundle = [new Dictionary<string, double> { ["custom"] = 0.001 }];

        yield return new BenchCase
        {
            Name = "placement_group_create/removal",
            Multiplier = count,
            Grid = async () =>
            {
                var groups = new PlacementGroup[count];
                for (var i = 0; i < count; i++) groups[i] = await grid.CreatePlacementGroupAsync(bundle);
                foreach (var g in groups) await g.ReadyAsync(TimeSpan.FromSeconds(30));
                foreach (var g in groups) await g.RemoveAsync();
            },
            Baseline = async () =>
            {
                var grains = new IBaselineReservation[count];
                for (var i = 0; i < count; i++)
                {
                    grains[i] = ctx.Grains.GetGrain<IBaselineReservation>(Guid.NewGuid());
                    await grains[i].Reserve(0.001);
                }
                foreach (var g in grains) await g.IsReserved();
                foreach (var g in grains) await g.Release();
            },
        };
    }
}
