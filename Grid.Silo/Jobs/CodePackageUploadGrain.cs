using Grid.Grains;
using Grid.Jobs;
using Grid.Silo.Gcs;

namespace Grid.Silo.Jobs;

/// <summary>
/// Assembles one package from its chunks into a single buffer of the announced size (no list of
/// chunks to concatenate: a package is held once here), verifies its hash, stores it in the GCS and
/// lets go of it.
/// </summary>
internal sealed class CodePackageUploadGrain(IGcs gcs) : Grain, ICodePackageUploadGrain
{
    /// <summary>Refuses absurd sizes before allocating (a package is the job's assemblies, not its data).</summary>
    private const long MaxPackageSize = 1L << 30;

    private Guid _upload;
    private byte[]? _buffer;
    private long _received;

    private string Hash => this.GetPrimaryKeyString();

    public async Task<bool> Begin(Guid upload, long size)
    {
        if (await gcs.HasCodePackageAsync(Hash)) return false;
        if (size is <= 0 or > MaxPackageSize)
            throw new ArgumentOutOfRangeException(nameof(size), $"A code package of {size} bytes is refused (at most {MaxPackageSize} bytes); ship fewer assemblies.");
        _upload = upload;
        _buffer = new byte[size];
        _received = 0;
        return true;
    }

    public Task Append(Guid upload, long offset, Immutable<byte[]> chunk)
    {
        var buffer = Current(upload);
        if (offset < 0 || offset + chunk.Value.Length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"A chunk at {offset} of {chunk.Value.Length} bytes does not fit the announced {buffer.Length} bytes.");
        chunk.Value.CopyTo(buffer, offset);
        _received += chunk.Value.Length;
        return Task.CompletedTask;
    }

    public async Task Commit(Guid upload)
    {
        var buffer = Current(upload);
        try
        {
            if (_received != buffer.Length || CodePackage.Hash(buffer) != Hash)
                throw new GridException($"The code package {Hash} arrived incomplete or altered ({_received} of {buffer.Length} bytes); reconnect to upload it again.");
            await gcs.PutCodePackageAsync(Hash, buffer);
        }
        finally
        {
            _buffer = null;
            DeactivateOnIdle();
        }
    }

    private byte[] Current(Guid upload) =>
        upload == _upload && _buffer is { } buffer ? buffer
            : throw new GridException($"The upload of code package {Hash} was replaced by another one or has ended; check whether the package is stored, else upload it again.");
}
