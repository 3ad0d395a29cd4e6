using System.Buffers;

namespace Grid.ObjectStore;

internal sealed partial class LocalObjectStore
{
    /// <summary>
    /// Creates object <paramref name="id"/> of <paramref name="size"/> bytes and fills it by handing
    /// <paramref name="fill"/> a buffer writer that streams into the object's file in 1 MiB pieces, then seals it.
    /// For values serialized straight into the store: no staging array of the object's size (a fresh one costs a
    /// page fault per 4 KiB). <paramref name="fill"/> must write exactly <paramref name="size"/> bytes, else the
    /// object is dropped and <see cref="InvalidOperationException"/> thrown.
    /// </summary>
    public void Put(ObjectId id, long size, Action<IBufferWriter<byte>> fill)
    {
        using var writer = Create(id, size);
        using (var output = new ChunkingOutput(Piece, (offset, bytes) =>
        {
            if (offset + bytes.Length > size)
                throw new InvalidOperationException($"Object {id} was created for {size} bytes, but more are being written; was the value changed while it was being stored?");
            writer.Write(offset, bytes);
        }))
        {
            fill(output);
            output.Flush();
            if (output.Written != size)
                throw new InvalidOperationException($"Object {id} was created for {size} bytes, but {output.Written} were written; was the value changed while it was being stored?");
        }
        writer.Seal();
    }

    /// <summary>How many bytes <paramref name="fill"/> writes, counted through a small reused buffer (nothing kept).</summary>
    public static long Measure(Action<IBufferWriter<byte>> fill)
    {
        using var counter = new ChunkingOutput(Piece, static (_, _) => { });
        fill(counter);
        counter.Flush();
        return counter.Written;
    }

    /// <summary>
    /// The piece a value is serialized through on its way into an object's file. Serializers ask for spans without a
    /// size hint for large raw blocks, so a small buffer suffices.
    /// </summary>
    private const int Piece = 1024 * 1024;
}
