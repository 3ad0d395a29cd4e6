using Microsoft.Win32.SafeHandles;

namespace Grid.ObjectStore;

/// <summary>
/// The same-machine put (Plasma's client writing into the store's shared memory): the target node created the object
/// in its store and handed back its file; this process maps that file, copies the bytes in with several threads, and
/// unmaps it before the node seals the object. The node's accounting stays whole: it allocated the file (capacity,
/// spilling, recycled files), this side only fills it. A file that cannot be opened here, or has another size
/// (another machine with the same name, a container with its own /dev/shm), means "push it over the network".
/// </summary>
internal sealed partial class ObjectManager
{
    /// <summary>Fills the object's file from this process; false when it cannot be used from here (nothing was written).</summary>
    private bool TryWriteOnThisHost(Grid.Wire.ObjectLocator locator, NodeId target, ObjectId id, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var size = (long)header.Length + body.Length;
        if (TryOpenOnThisHost(locator, target, id, size) is not { } handle) return false;
        var mapping = _writerMappings.Open(handle, size);
        var reusable = false;
        try
        {
            // The node fallocated the file, so its pages exist; mapping them all in one call is far cheaper than a
            // fault per 4 KiB during the copy. A kept mapping has them mapped already.
            if (!mapping.Warm) mapping.Populate();
            var destination = mapping.Span;
            ParallelCopy.Copy(header, destination);
            ParallelCopy.Copy(body, destination[header.Length..]);
            reusable = true;
        }
        finally
        {
            // Kept only after a whole write: the node may hand this file out again once the object is freed.
            _writerMappings.Return(mapping, reusable);
        }
        AddPushed(size, new KeyValuePair<string, object?>("grid.path", "same-host"));
        return true;
    }

    /// <summary>The object's file opened for writing, after checking it is on this machine and of the object's size; null otherwise.</summary>
    private SafeFileHandle? TryOpenOnThisHost(Grid.Wire.ObjectLocator locator, NodeId target, ObjectId id, long size)
    {
        if (locator.Host != HostIdentity.Current || locator.Size != size)
        {
            Log.SameHostWriteFallback(_logger, target, id, locator.Host != HostIdentity.Current ? $"the node runs on {locator.Host}" : $"the node made it {locator.Size} bytes, not {size}");
            return null;
        }
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(locator.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.SameHostWriteFallback(_logger, target, id, e.Message);
            return null;
        }
        if (RandomAccess.GetLength(handle) != size)
        {
            handle.Dispose();
            Log.SameHostWriteFallback(_logger, target, id, $"its file {locator.Path} is not {size} bytes");
            return null;
        }
        return handle;
    }

    /// <summary>
    /// Serializes straight into the object's file from this process through a small buffer; null when the file cannot
    /// be used from here (nothing was written). Returns the bytes written.
    /// </summary>
    private long? TryFillOnThisHost(Grid.Wire.ObjectLocator locator, NodeId target, ObjectId id, long size, Action<System.Buffers.IBufferWriter<byte>> fill)
    {
        if (TryOpenOnThisHost(locator, target, id, size) is not { } handle) return null;
        var mapping = _writerMappings.Open(handle, size);
        var reusable = false;
        try
        {
            if (!mapping.Warm) mapping.Populate();
            long written;
            using (var output = new ChunkingOutput(FillPiece, (offset, bytes) =>
            {
                if (offset + bytes.Length > size)
                    throw new InvalidOperationException($"Object {id} was measured at {size} bytes, but more are being written; was the value changed while it was being stored?");
                bytes.CopyTo(mapping.Span[(int)offset..]);
            }))
            {
                fill(output);
                output.Flush();
                written = output.Written;
            }
            reusable = true;
            AddPushed(written, new KeyValuePair<string, object?>("grid.path", "same-host"));
            return written;
        }
        finally
        {
            _writerMappings.Return(mapping, reusable);
        }
    }

    /// <summary>Serialized values are copied into the mapping a piece at a time: large enough to amortise the calls, small enough to stay in cache.</summary>
    private const int FillPiece = 1024 * 1024;
}
