using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.Inference.Torch;

/// <summary>
/// libtorch in this process: loaded on first use (a node that runs no torch code never loads it), and described once
/// in the node's log: its version, and whether models run on CUDA or, without it, on the CPU.
/// </summary>
internal static partial class TorchRuntime
{
    private static readonly Lazy<State> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static ILogger s_logger = NullLogger.Instance;

    private sealed record State(bool Cuda, int CudaDevices);

    /// <summary>The logger the first load reports to (the node's, once <c>AddGridInference</c> ran).</summary>
    public static void UseLogger(ILogger logger) => s_logger = logger;

    /// <summary>Whether CUDA is usable here (loads libtorch on the first call).</summary>
    public static bool CudaAvailable => Loaded.Value.Cuda;

    /// <summary>How many CUDA devices this process sees (0 without CUDA).</summary>
    public static int CudaDevices => Loaded.Value.CudaDevices;

    /// <summary>Loads libtorch now if it is not yet loaded.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static State Load()
    {
        bool cuda;
        try
        {
            cuda = torch.cuda.is_available();
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            throw new TorchUnavailableException(
                "libtorch could not be loaded in this process. A Grid node carries it when it is built with Grid.Inference " +
                "(GridTorchBackend cpu, cuda or external; for external, put libtorch's folder on LD_LIBRARY_PATH).", e);
        }
        var devices = cuda ? torch.cuda.device_count() : 0;
        var malloc = NativeMemory.KeepLargeBlocks();
        if (cuda) Log.CudaFound(s_logger, devices, torch.get_num_threads());
        else Log.CpuOnly(s_logger, torch.get_num_threads());
        if (!malloc) Log.MallocUnchanged(s_logger);
        return new State(cuda, devices);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Torch loaded: {Devices} CUDA device(s), models run on them; torch's default is {Threads} CPU threads, each task or actor uses as many as its NumCpus")]
        public static partial void CudaFound(ILogger logger, int devices, int threads);

        [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Torch loaded without CUDA: models on this node run on the CPU (torch's default is {Threads} threads; each task or actor uses as many as its NumCpus)")]
        public static partial void CpuOnly(ILogger logger, int threads);

        [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Torch: the C library's malloc thresholds were left as they are (not glibc, or GRID_TORCH_MALLOC=default): CPU inference may page-fault its activations on every call")]
        public static partial void MallocUnchanged(ILogger logger);
    }
}

/// <summary>libtorch could not be loaded on this node: the node was built without Grid.Inference's backend, or an external libtorch is not on the library path.</summary>
public sealed class TorchUnavailableException(string message, Exception? inner) : GridException(message, inner);
