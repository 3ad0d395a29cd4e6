using Grid.Inference;
using Grid.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Grid.Cluster.Tests;

/// <summary>Torch code a job ships, on nodes the <c>grid</c> command started: the node carries libtorch and TorchSharp.</summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class TorchNodeTests(LocalCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_node_runs_a_torch_task_on_a_shipped_tensor_and_says_once_in_its_log_that_models_run_on_the_CPU()
    {
        await using var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password);
        var nodes = await cluster.AliveNodesAsync();
        var values = arange(1000, dtype: ScalarType.Float64);

        var seen = await grid.GetAsync(nodes.Select(n => grid.Function<Tensor, (string Node, double Sum, string Device, int Threads)>(TorchTasks.SumOnDevice,
            new TaskOptions { NumCpus = 1, Scheduling = SchedulingStrategy.NodeAffinity(n.NodeId) }).Remote(values)), Timeout);

        Assert.Equal(nodes.Select(n => n.NodeId.Value).Order(), seen.Select(s => s.Node).Order());
        Assert.All(seen, s => Assert.Equal(499_500, s.Sum));
        Assert.All(seen, s => Assert.Equal("cpu", s.Device)); // a task holding no GPU runs on the CPU
        Assert.All(seen, s => Assert.Equal(1, s.Threads));
        if (cuda.is_available()) return;
        var logs = Path.Combine(cluster.StateDir, "logs");
        await Eventually.WaitAsync(() => Directory.GetFiles(logs).Count(f => File.ReadAllText(f).Contains("Torch loaded without CUDA", StringComparison.Ordinal)) == nodes.Length,
            Timeout, "each node's log saying its models run on the CPU");
        Assert.All(Directory.GetFiles(logs), f => Assert.True(CountOf(File.ReadAllText(f), "Torch loaded") <= 1, $"{f} says more than once that torch loaded"));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}

/// <summary>A torch task the test ships to the nodes.</summary>
public static class TorchTasks
{
    public static (string Node, double Sum, string Device, int Threads) SumOnDevice(Tensor values)
    {
        var device = GridContext.Current.TorchDevice();
        var sum = TorchInference.Run(() => values.to(device).sum().item<double>());
        return (GridContext.Current.NodeId.Value, sum, device.ToString(), torch.get_num_threads());
    }
}
