using Grid.Silo;
using Grid.Testing;

namespace Grid.Tests.Fixtures;

/// <summary>
/// A cluster of a few in-process silos (<see cref="GridTestCluster"/>) sharing an in-memory GCS, for one test that kills
/// some of them: a test owns it (<c>await using</c>), since a cluster that lost a silo is no use to the next test.
/// </summary>
public static class SmallCluster
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <param name="node">Sets a node's options beyond its CPUs, given the silo's name ("Primary" for the first).</param>
    public static Task<GridTestCluster> StartAsync(short silos, double cpusPerNode = 2, Action<string, GridNodeOptions>? node = null) =>
        new GridTestClusterBuilder()
            .Silos(silos)
            .ConfigureNodes((silo, o) =>
            {
                o.NumCpus = cpusPerNode;
                node?.Invoke(silo, o);
            })
            .Patience(Timeout)
            .StartAsync();
}
