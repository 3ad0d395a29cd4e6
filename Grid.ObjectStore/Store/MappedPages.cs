using System.Runtime.InteropServices;

namespace Grid.ObjectStore;

/// <summary>Page-table help for mapped object files (Linux; a no-op elsewhere).</summary>
internal static unsafe partial class MappedPages
{
    private const int MadvPopulateWrite = 23; // Linux 5.14+

    /// <summary>
    /// Maps every page of a shared writable mapping in one call before writing through it: far cheaper than a
    /// fault per page. Best effort: an older kernel refuses, and the writes fault the pages in as usual.
    /// </summary>
    public static void PopulateWrite(byte* address, nuint length)
    {
        if (!OperatingSystem.IsLinux() || length == 0) return;
        try
        {
            _ = Madvise(address, length, MadvPopulateWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc/musl: nothing to gain, nothing lost.
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
