using Grid.Samples.Data;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// S18 on nodes the <c>grid</c> command started: the nodes carry Grid.Data, the job ships its records and functions,
/// and the data tasks and the actor pool run them in the job's code.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class DataNodeTests(LocalCluster cluster)
{
    [Fact]
    public async Task S18_on_real_nodes_equals_linq_over_the_same_rows()
    {
        await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
        var folder = Directory.CreateTempSubdirectory("grid-s18-nodes-").FullName;
        try
        {
            const long Rows = 20_000;
            var run = await S18Pipeline.RunAsync(grid, folder, Rows);
            var expected = S18Pipeline.RunLocally(S18Pipeline.Docs(Rows));
            Assert.NotEmpty(expected.Kept);
            Assert.Equal(expected.Kept, run.Kept);
            Assert.Equal(expected.Scored, run.Scored);
            Assert.All(run.Files, f => Assert.True(File.Exists(f), f));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
