using Grid.Grains;
using Microsoft.Win32.SafeHandles;

namespace Grid.ObjectStore;

/// <summary>
/// The same-machine fast path. Orleans messages top out far below memory bandwidth (about 0.2 GB/s for 1 MiB
/// byte[] messages here), so when the source node runs on this machine and its object file is visible, the bytes
/// are read straight from that file (tmpfs: a memory copy) in large slices, several at once. Objects are immutable
/// and an open file keeps its contents even if the source spills or deletes the object meanwhile, so what is read
/// is the object; anything unexpected (another machine, file gone, other size) falls back to the chunked grain path.
/// </summary>
internal sealed partial class ObjectManager
{
    private const int SameHostSlice = 64 * 1024 * 1024;

    /// <summary>The source's file for the object when the source runs on this machine (and same-host reads are on).</summary>
    private async Task<Grid.Wire.ObjectLocator?> LocateOnThisHostAsync(IObjectStoreGrain grain, ObjectId id, long size)
    {
        if (!_options.AllowSameHostReads || size == 0) return null;
        var locator = await grain.Locate(id).ConfigureAwait(false);
        return locator is not null && locator.Host == HostIdentity.Current && locator.Size == size ? locator : null;
    }

    /// <summary>Copies the object into <paramref name="destination"/> from the source's file; false when that file cannot be opened.</summary>
    private bool TryCopyFromSameHost(Grid.Wire.ObjectLocator locator, ObjectId id, Memory<byte> destination, string transfer, CancellationToken ct)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(locator.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // moved (spilled, restored) or not visible from here
        }
        using (file)
        {
            if (RandomAccess.GetLength(file) != destination.Length) return false;
            var slices = (destination.Length + SameHostSlice - 1) / SameHostSlice;
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(_options.MaxChunksInFlight, Environment.ProcessorCount)), CancellationToken = ct };
            Parallel.For(0, slices, options, index =>
            {
                var token = ct;
                long offset = (long)index * SameHostSlice;
                var slice = destination.Slice((int)offset, (int)Math.Min(SameHostSlice, destination.Length - offset));
                while (!slice.IsEmpty)
                {
                    token.ThrowIfCancellationRequested();
                    var read = RandomAccess.Read(file, slice.Span, offset);
                    if (read == 0) throw new ObjectLostException($"Object {id}: the source's file {locator.Path} ended early.");
                    slice = slice[read..];
                    offset += read;
                }
            });
        }
        AddPulled(destination.Length, new KeyValuePair<string, object?>("grid.transfer", transfer), new KeyValuePair<string, object?>("grid.path", "same-host"));
        return true;
    }
}
