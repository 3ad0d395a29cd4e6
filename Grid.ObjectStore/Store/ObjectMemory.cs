using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Grid.ObjectStore;

/// <summary>
/// One object's memory: its own file, mapped once into this process and handed to every reader as the same
/// <see cref="MemoryManager{T}"/>, so reads are zero-copy and consumers can find the pointer with
/// <c>MemoryMarshal.TryGetMemoryManager</c>.
/// </summary>
/// <remarks>
/// <para>
/// One file per object (rather than one arena file with an allocator, as Ray's plasma does) because deleting an
/// object then returns its pages to the OS at once with no fragmentation to manage, the file name is the object id
/// (so another process on the node can map it later by name), and a failed or aborted create leaves nothing to
/// compact. Many small objects cost a file descriptor-free mapping each; an arena for small objects can come later.
/// </para>
/// <para>
/// Lifetime rule: a reference count. The store's index holds one reference while the object is in the store;
/// every lease holds one: a <see cref="StoredObject"/> until disposed, an <see cref="ObjectWriter"/> until Seal or
/// Abort, a <see cref="MemoryHandle"/> from <see cref="Pin"/> until disposed, and the store's own short copies
/// (grain chunk reads and writes). Delete unlinks the file at once (Linux keeps the pages of an unlinked but mapped
/// file) and drops the index's reference; the view is unmapped when the last reference goes, so a reader holding a
/// lease never sees its memory vanish. A <see cref="ReadOnlyMemory{T}"/> must not be used after its lease is
/// disposed, as with any <see cref="IMemoryOwner{T}"/>. A lease never disposed does not leak the mapping forever:
/// once the object is deleted and nothing references this manager, the view handle's finalizer unmaps it.
/// </para>
/// </remarks>
internal sealed unsafe class ObjectMemory : MemoryManager<byte>
{
    private readonly string _path;
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private int _references = 1;
    private int _unlinkDeferred;
    private int _shared;
    private string? _retiredPath;

    private ObjectMemory(string path, MemoryMappedFile? file, MemoryMappedViewAccessor? view, byte* pointer, int length)
    {
        _path = path;
        _file = file;
        _view = view;
        _pointer = pointer;
        _length = length;
    }

    public int Length => _length;

    /// <summary>References held now, the index's included; 0 once unmapped. For eviction decisions and tests.</summary>
    public int LeaseCount => Volatile.Read(ref _references);

    public bool IsUnmapped => LeaseCount == 0;

    /// <summary>The file that backs this memory (in the store's directory, or its spill directory).</summary>
    public string FilePath => _path;

    /// <summary>Where the file goes for reuse when the object is deleted; null: it is deleted (see <see cref="Retire"/>).</summary>
    public RecycledFiles? Recycler { get; init; }

    /// <summary>
    /// Writers copy into the mapping rather than through the file: true for memory on a kept mapping (see
    /// <see cref="KeptMapping"/>), whose pages are mapped already or populated in one call. A fresh mapping is
    /// written through the file instead (see <see cref="ObjectWriter.Write"/>).
    /// </summary>
    public bool WritesThroughMapping { get; private init; }

    /// <summary>The file was handed to someone outside this store (another node may have it open or linked): never reuse it.</summary>
    public void MarkShared() => Volatile.Write(ref _shared, 1);

    /// <summary>
    /// The object was deleted: like <see cref="Unlink"/>, its name goes at once, but a file that can be reused is
    /// renamed aside instead, and offered to <see cref="Recycler"/> when the last reference is gone (readers keep
    /// the old bytes until then).
    /// </summary>
    public void Retire()
    {
        if (Recycler is null || _length < RecycledFiles.MinSize || Volatile.Read(ref _shared) == 1)
        {
            Unlink();
            return;
        }
        var aside = Recycler.NewName();
        try
        {
            File.Move(_path, aside);
            Volatile.Write(ref _retiredPath, aside);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unlink();
        }
    }

    /// <summary>
    /// Creates the file at exactly <paramref name="size"/> bytes and maps it read-write; the caller owns the one
    /// reference it starts with.
    /// </summary>
    public static ObjectMemory Create(string path, int size, RecycledFiles? recycler = null) => Map(path, size, FileMode.CreateNew, recycler);

    /// <summary>The memory of a new object on a recycled file whose mapping was kept: nothing to map, its pages are there.</summary>
    public static ObjectMemory FromKept(string path, KeptMapping kept, RecycledFiles recycler)
    {
        kept.Populate();
        return new ObjectMemory(path, kept.File, kept.View, kept.Pointer, kept.Length) { Recycler = recycler, WritesThroughMapping = true };
    }

    /// <summary>Maps an existing file of <paramref name="size"/> bytes (a spilled object read in place from disk).</summary>
    public static ObjectMemory Open(string path, int size, RecycledFiles? recycler = null) => Map(path, size, FileMode.Open, recycler);

    private static ObjectMemory Map(string path, int size, FileMode mode, RecycledFiles? recycler)
    {
        // PreallocationSize makes .NET fallocate the file: on a full tmpfs Create then fails with an IOException,
        // instead of the process dying of SIGBUS when a write first touches a page that cannot be backed.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            PreallocationSize = mode == FileMode.CreateNew ? size : 0,
        });
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            if (size == 0)
            {
                // An empty file cannot be mapped; an empty object needs no memory anyway.
                stream.Dispose();
                return new ObjectMemory(path, null, null, null, 0) { Recycler = recycler };
            }
            if (stream.Length != size) stream.SetLength(size);
            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            var handle = view.SafeMemoryMappedViewHandle;
            handle.AcquirePointer(ref pointer);
            // The add-ref is given back at once: the pointer stays valid until the handle is closed, which happens
            // in Unmap when the last reference goes or, for leases nobody disposed, in the handle's own critical
            // finalizer once nothing can reach this manager (and so nothing can read the memory). That finalizer is
            // the safety net against leaked leases; holding the add-ref would defeat it.
            handle.ReleasePointer();
            // Offset 0 of a fresh mapping: the address is page aligned and PointerOffset is 0.
            return new ObjectMemory(path, file, view, pointer + view.PointerOffset, size) { Recycler = recycler };
        }
        catch
        {
            view?.Dispose();
            if (file is not null) file.Dispose(); else stream.Dispose();
            if (mode == FileMode.CreateNew) TryDeleteFile(path);
            throw;
        }
    }

    /// <summary>
    /// Takes the memory away from the store when the store's own reference is the only one (nobody reads it):
    /// the count goes from 1 to 0, so no lease can be taken any more, and the caller must finish with
    /// <see cref="UnmapClaimed"/>. This is how an idle object is spilled without racing a new reader.
    /// </summary>
    public bool TryClaimIdle() => Interlocked.CompareExchange(ref _references, 0, 1) == 1;

    /// <summary>Gives claimed memory back to the store (a spill that failed): the store's reference again.</summary>
    public void Unclaim()
    {
        if (Interlocked.CompareExchange(ref _references, 1, 0) != 0) throw new InvalidOperationException("Only claimed memory can be given back.");
    }

    /// <summary>Unmaps memory claimed by <see cref="TryClaimIdle"/>.</summary>
    public void UnmapClaimed()
    {
        if (LeaseCount != 0) throw new InvalidOperationException("Only claimed memory can be unmapped directly.");
        Unmap();
    }

    /// <summary>Adds a reference unless the memory is already unmapped.</summary>
    public bool TryAddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0) return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current) return true;
        }
    }

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0) Unmap();
        else if (left < 0) throw new InvalidOperationException("Object memory released more often than referenced.");
    }

    /// <summary>Removes the file's name now; on systems that refuse to delete a mapped file, at the last release.</summary>
    public void Unlink()
    {
        if (!TryDeleteFile(_path)) Volatile.Write(ref _unlinkDeferred, 1);
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    /// <summary>Returns the mapped address (stable: the mapping never moves) and holds a lease until the handle is disposed.</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)_length) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        if (!TryAddReference()) throw new ObjectDisposedException(nameof(ObjectMemory), "The object's memory was already released.");
        return new MemoryHandle(_pointer + elementIndex, default, this);
    }

    public override void Unpin() => Release();

    // The memory's lifetime belongs to the reference count, not to whoever calls IMemoryOwner.Dispose on it.
    protected override void Dispose(bool disposing) { }

    private void Unmap()
    {
        var aside = Volatile.Read(ref _retiredPath);
        // A reusable file keeps its mapping: a later object of its size is then written at memory speed.
        if (aside is not null && _view is not null && Volatile.Read(ref _shared) == 0
            && Recycler!.TryKeep(aside, _length, new KeptMapping(_file!, _view, _pointer, _length) { Warm = WritesThroughMapping }))
            return;
        _view?.Dispose();
        _file?.Dispose();
        if (Volatile.Read(ref _unlinkDeferred) == 1) TryDeleteFile(_path);
        if (aside is not null) TryDeleteFile(aside);
    }

    private static bool TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
