using Grid.Bench.Harness;

namespace Grid.Bench.Cases;

/// <summary>
/// Hook for Ray's placement_group_create/removal (100 groups of one {"custom": 0.001} bundle created,
/// waited for and removed per call; multiplier 100; Ray 2.9.0: 818/s). Placement groups are another
/// helper's work: once they exist, yield that case here, with a raw-Orleans baseline of 100 calls to a
/// grain that records and removes a reservation. It needs a node declaring {"custom": 100}: see
/// <see cref="Topology.TopologyFactory"/>, which already declares it on every node.
/// </summary>
public static class PlacementGroupCases
{
    public static IEnumerable<BenchCase> All(BenchContext ctx)
    {
        _ = ctx;
        yield break;
    }
}
