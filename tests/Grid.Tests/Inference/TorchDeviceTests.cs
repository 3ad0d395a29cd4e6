using Grid.Inference;
using Grid.Testing;
using Grid.Tests.Fixtures;
using TorchSharp;

namespace Grid.Tests.Inference;

/// <summary>A node declaring two GPUs, embedded: what torch code in its tasks and actors is given.</summary>
public sealed class GpuNodeFixture : IAsyncLifetime
{
    public GridClient Grid { get; private set; } = null!;

    public async Task InitializeAsync() => Grid = await GridClient.StartLocalAsync(node =>
    {
        node.NumCpus = 4;
        node.NumGpus = 2;
    });

    public async Task DisposeAsync() => await Grid.DisposeAsync();
}

/// <summary>
/// The torch device and threads of a task or actor: the device of the GPU ids Grid assigned (the CPU where CUDA is
/// absent, as here), and as many torch threads as the task's CPUs, never the node's every core.
/// </summary>
public sealed class TorchDeviceTests(GpuNodeFixture node) : IClassFixture<GpuNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private GridClient Grid => node.Grid;

    [Fact]
    public async Task A_task_gets_the_device_of_its_gpu_and_as_many_torch_threads_as_its_cpus()
    {
        var seen = await Grid.Function<int, (int[] GpuIds, string Device, int Threads)>(TensorFunctions.DeviceSeen,
            new TaskOptions { NumGpus = 1, NumCpus = 2 }).Remote(0).GetAsync(Timeout);
        Assert.Single(seen.GpuIds);
        Assert.Equal(TensorFunctions.ExpectedDevice(seen.GpuIds), seen.Device);
        Assert.Equal(2, seen.Threads);

        var cpuOnly = await Grid.Function<int, (int[] GpuIds, string Device, int Threads)>(TensorFunctions.DeviceSeen,
            new TaskOptions { NumCpus = 1 }).Remote(0).GetAsync(Timeout);
        Assert.Empty(cpuOnly.GpuIds);
        Assert.Equal("cpu", cpuOnly.Device);
        Assert.Equal(1, cpuOnly.Threads);
    }

    [Fact]
    public async Task Two_actors_holding_the_two_gpus_of_a_node_get_their_own_ids_and_devices_and_one_thread_without_cpus()
    {
        var first = await Grid.CreateActorAsync(() => new TensorHolder(torch.zeros(1)), new ActorOptions { NumGpus = 1 });
        var second = await Grid.CreateActorAsync(() => new TensorHolder(torch.zeros(1)), new ActorOptions { NumGpus = 1 });
        var a = await first.Call(h => h.DeviceSeen()).GetAsync(Timeout);
        var b = await second.Call(h => h.DeviceSeen()).GetAsync(Timeout);

        Assert.Equal([0, 1], a.GpuIds.Concat(b.GpuIds).Order());
        Assert.Equal(TensorFunctions.ExpectedDevice(a.GpuIds), a.Device);
        Assert.Equal(TensorFunctions.ExpectedDevice(b.GpuIds), b.Device);
        if (torch.cuda.is_available() && torch.cuda.device_count() >= 2) Assert.NotEqual(a.Device, b.Device);
        // Actors hold no CPU by default: torch gets one thread, not the node's every core.
        Assert.Equal(1, a.Threads);
        await first.KillAsync().WaitAsync(Timeout);
        await second.KillAsync().WaitAsync(Timeout);
    }
}
