namespace Grid.Grains;

/// <summary>
/// Receives one code package in chunks, keyed by the package's content hash, and stores it in the
/// GCS once complete and verified. Packages can be tens of MB, and an Orleans message is limited to
/// 100 MB, so they travel in chunks; the chunks must meet in one activation, which is why this is
/// not a method of the stateless <see cref="IGcsGrain"/>.
/// </summary>
internal interface ICodePackageUploadGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts an upload of <paramref name="size"/> bytes. Returns false when the GCS already holds
    /// the package (nothing to send). A newer upload of the same package replaces an unfinished one.
    /// </summary>
    Task<bool> Begin(Guid upload, long size);

    /// <summary>Writes a chunk at <paramref name="offset"/>.</summary>
    Task Append(Guid upload, long offset, Immutable<byte[]> chunk);

    /// <summary>Verifies the hash of what arrived and stores the package; throws when it does not match.</summary>
    Task Commit(Guid upload);
}
