using System.IO.MemoryMappedFiles;

namespace Grid.ObjectStore;

/// <summary>
/// The read-write mapping of a recycled file, kept with it. Mapping a file afresh costs a page fault per 4 KiB on
/// first touch, which in a VM costs far more than the copy (an 800 MB put: over 2 s against 50 ms); a kept mapping
/// that was written through once has its pages mapped already, so a put into it runs at memcpy speed.
/// </summary>
internal sealed unsafe class KeptMapping(MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer, int length) : IDisposable
{
    public MemoryMappedFile File => file;
    public MemoryMappedViewAccessor View => view;
    public byte* Pointer => pointer;
    public int Length => length;

    /// <summary>Whether an object was written through this mapping since it was created (its pages are mapped).</summary>
    public bool Warm { get; init; }

    /// <summary>
    /// Maps every page writable in one call before the first write through the mapping: far cheaper than a fault
    /// per page. Best effort: an older kernel refuses, and the writes fault the pages in as usual.
    /// </summary>
    public void Populate()
    {
        if (!Warm) MappedPages.PopulateWrite(pointer, (nuint)length);
    }

    public void Dispose()
    {
        view.Dispose();
        file.Dispose();
    }
}
