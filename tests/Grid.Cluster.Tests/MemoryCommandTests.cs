using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary><c>grid memory</c> on a real cluster: a client's stored object is listed with its node, size and owner, and is gone once released.</summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class MemoryCommandTests(LocalCluster cluster)
{
    [Fact]
    public async Task Memory_lists_a_stored_object_with_its_owner_and_drops_it_once_its_ref_is_disposed()
    {
        await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
        var data = await grid.PutAsync(new byte[2 << 20]);
        var id = data.Id.ToString();

        var listed = await cluster.Cli.RunAsync("memory");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var row = listed.Output.Split('\n').Single(line => line.Contains(id));
        Assert.Contains("2 MiB", row);
        Assert.Contains("memory", row);
        Assert.Contains("1/0/0", row); // one ref held by the client, no task, no borrower

        data.Dispose();

        await Eventually.WaitAsync(async () => !(await cluster.Cli.RunAsync("memory")).Output.Contains(id),
            TimeSpan.FromSeconds(60), $"object {id} gone from grid memory");
    }
}
