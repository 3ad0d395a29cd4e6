using Grid.Inference.Torch;

namespace Grid.Inference;

/// <summary>
/// Torch inside a task or actor method: the device of the GPUs Grid assigned it, and the CPU threads torch may use
/// there. <c>var device = GridContext.Current.TorchDevice();</c> at the start of torch code.
/// </summary>
public static class GridTorch
{
    /// <summary>
    /// The torch device for the GPUs this task or actor holds: <c>cuda:N</c> for its first GPU id N, or the CPU when
    /// it holds none or CUDA is absent from this node. Also sets torch's threads on this thread to
    /// <see cref="TorchThreads"/>.
    /// </summary>
    /// <exception cref="GridException">CUDA is present but has no device with the assigned id (the node declares more GPUs than it has).</exception>
    public static Device TorchDevice(this GridContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        UseThreads(context);
        if (context.GpuIds.Count == 0 || !TorchRuntime.CudaAvailable) return CPU;
        int id = context.GpuIds[0];
        if (id >= TorchRuntime.CudaDevices)
            throw new GridException(
                $"This task holds GPU {id}, but CUDA on node {context.NodeId} sees {TorchRuntime.CudaDevices} device(s): start the node with --num-gpus at most {TorchRuntime.CudaDevices}.");
        return new Device(DeviceType.CUDA, id);
    }

    /// <summary>
    /// The CPU threads torch may use in this task or actor: its NumCpus rounded down, at least 1 (an actor holding no
    /// CPU gets 1), never every core of the node, which other tasks share.
    /// </summary>
    public static int TorchThreads(this GridContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.AssignedResources.TryGetValue("CPU", out var cpus) ? Math.Max(1, (int)Math.Floor(cpus)) : 1;
    }

    /// <summary>
    /// Sets torch's intra-op threads for code running on this thread to the running task's or actor's
    /// <see cref="TorchThreads"/> (a no-op outside Grid). Torch keeps this setting per thread: call it where torch
    /// code starts, as <see cref="TorchDevice"/> and <see cref="TorchInference"/> do.
    /// </summary>
    public static void UseThreads(GridContext? context = null)
    {
        context ??= GridContext.TryGetCurrent();
        if (context is null) return;
        TorchRuntime.EnsureLoaded();
        int threads = context.TorchThreads();
        if (t_threads != threads)
        {
            torch.set_num_threads(threads);
            t_threads = threads;
        }
    }

    [ThreadStatic] private static int t_threads;
}
