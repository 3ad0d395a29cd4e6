using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Grid.ObjectStore;

/// <summary>
/// A same-host writer's mappings of nodes' object files, kept for its next puts as a Plasma client keeps the store
/// mapped. The node recycles a deleted object's file for the next object of its size (see RecycledFiles), so the
/// writer's next put of that size gets the same file under a new name: writing through the mapping it kept costs a
/// plain copy, where a fresh mapping costs far more than the copy in a VM even with its pages populated (an 800 MB
/// put: about 1.7 s against 0.1 s here). Files are told apart by device and inode, never by name.
/// </summary>
/// <remarks>
/// A kept mapping holds its file's pages while the file exists, nothing more; once the node deletes the file, the
/// pages stay allocated until the mapping goes, so every checkout first drops the mappings of deleted files, and
/// the bytes kept are bounded (<see cref="ObjectStoreOptions.WriterMappingBytes"/>). Linux only (statx); elsewhere
/// each put maps its file afresh. A mapping is handed to one writer at a time.
/// </remarks>
internal sealed unsafe partial class WriterMappings(long maxBytes) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Mapping> _kept = [];
    private long _bytes;
    private bool _disposed;

    /// <summary>A mapping of one object file, open for writing. Return it with <see cref="Return"/>.</summary>
    public sealed class Mapping(FileKey key, SafeFileHandle handle, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer, long length) : IDisposable
    {
        public FileKey Key => key;
        public SafeFileHandle Handle => handle;
        public long Length => length;
        public Span<byte> Span => new(pointer + view.PointerOffset, (int)length);

        /// <summary>Whether the pages of this mapping were mapped by an earlier write (no populate needed).</summary>
        public bool Warm { get; set; }

        public void Populate() => MappedPages.PopulateWrite(pointer, (nuint)length);

        public void Dispose()
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
            handle.Dispose();
        }
    }

    public readonly record struct FileKey(uint DeviceMajor, uint DeviceMinor, ulong Inode);

    /// <summary>
    /// Maps the file opened as <paramref name="handle"/> (whose ownership passes
    /// here) for writing: the kept mapping of that very file when there is one, else a new one.
    /// </summary>
    public Mapping Open(SafeFileHandle handle, long size)
    {
        FileKey? key = null;
        if (maxBytes > 0 && TryIdentify(handle, out var identity, out _))
        {
            key = identity;
            DropDeleted();
            lock (_lock)
            {
                var index = _kept.FindIndex(m => m.Key == identity && m.Length == size);
                if (index >= 0)
                {
                    var kept = _kept[index];
                    _kept.RemoveAt(index);
                    _bytes -= kept.Length;
                    handle.Dispose(); // the kept mapping has its own handle on the same file
                    return kept;
                }
            }
        }
        var file = MemoryMappedFile.CreateFromFile(handle, mapName: null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new Mapping(key ?? default, handle, file, view, pointer, size);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Keeps <paramref name="mapping"/> for a later put into the same file (or disposes it when it cannot be kept).</summary>
    public void Return(Mapping mapping, bool reusable)
    {
        mapping.Warm = true;
        if (reusable && mapping.Key != default && mapping.Length <= maxBytes)
        {
            List<Mapping> evicted = [];
            lock (_lock)
            {
                if (!_disposed)
                {
                    _kept.Add(mapping);
                    _bytes += mapping.Length;
                    // Least recently returned first.
                    while (_bytes > maxBytes)
                    {
                        evicted.Add(_kept[0]);
                        _bytes -= _kept[0].Length;
                        _kept.RemoveAt(0);
                    }
                    mapping = null!;
                }
            }
            foreach (var old in evicted) old.Dispose();
            if (mapping is null) return;
        }
        mapping.Dispose();
    }

    /// <summary>Drops the mappings of files the node has deleted since: they will never be handed out again.</summary>
    private void DropDeleted()
    {
        List<Mapping> dropped = [];
        lock (_lock)
        {
            for (var i = _kept.Count - 1; i >= 0; i--)
            {
                if (TryIdentify(_kept[i].Handle, out _, out var links) && links > 0) continue;
                dropped.Add(_kept[i]);
                _bytes -= _kept[i].Length;
                _kept.RemoveAt(i);
            }
        }
        foreach (var mapping in dropped) mapping.Dispose();
    }

    public void Dispose()
    {
        Mapping[] kept;
        lock (_lock)
        {
            _disposed = true;
            kept = [.. _kept];
            _kept.Clear();
            _bytes = 0;
        }
        foreach (var mapping in kept) mapping.Dispose();
    }

    /// <summary>The file's device and inode, and how many names it has (0: deleted); false where statx is unavailable.</summary>
    private static bool TryIdentify(SafeFileHandle handle, out FileKey key, out uint links)
    {
        key = default;
        links = 0;
        if (!OperatingSystem.IsLinux()) return false;
        var buffer = stackalloc byte[StatxSize];
        int result;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            result = Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        if (result != 0) return false;
        // struct statx has one layout on every architecture: nlink at 16, ino at 32, dev major/minor at 136/140.
        links = *(uint*)(buffer + 16);
        key = new FileKey(*(uint*)(buffer + 136), *(uint*)(buffer + 140), *(ulong*)(buffer + 32));
        return true;
    }

    private const int StatxSize = 256;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
