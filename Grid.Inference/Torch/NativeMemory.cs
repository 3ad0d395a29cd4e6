using System.Runtime.InteropServices;

namespace Grid.Inference.Torch;

/// <summary>
/// glibc's malloc, tuned for libtorch's CPU kernels in a node process. By default glibc serves every block over its
/// dynamic mmap threshold with a fresh mmap, returns it to the kernel when freed, and trims the heap's top: a forward
/// pass's activations (tens of MB) are then page-faulted anew on every call, more so as a node's tasks move between
/// pool threads (each with its own arena). Raising the mmap threshold to its maximum (32 MB on 64-bit) and the trim
/// threshold to 1 GB keeps those blocks in the heap for the next call (S17's batch-32 rate went from 0.28 to 0.63 of
/// calling the model directly with the equivalent environment variables). PyTorch's own advice for CPU inference is
/// the same (or jemalloc). Applied once, when torch first loads; <c>GRID_TORCH_MALLOC=default</c> leaves malloc alone.
/// </summary>
internal static class NativeMemory
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD

    /// <summary>Raises the thresholds; false when they were left as they are (opted out, or not glibc).</summary>
    public static bool KeepLargeBlocks()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("GRID_TORCH_MALLOC"), "default", StringComparison.OrdinalIgnoreCase)) return false;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(MmapThreshold, 32 * 1024 * 1024) == 1 & mallopt(TrimThreshold, 1024 * 1024 * 1024) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and other C libraries have no mallopt
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
