namespace Grid.Data.Formats;

/// <summary>
/// Where datasets are read from and written to. Reads and writes run in tasks on any node, so a path must mean the
/// same file on every node (a local path on one machine, a shared mount on a cluster). Local files only for now;
/// object stores (S3, Azure Blob) come as other implementations of this interface.
/// </summary>
public interface IFileSystem
{
    /// <summary>
    /// The files a read path names, sorted by path: the file itself, every file under a directory (recursively,
    /// skipping hidden names and names starting with '_' or '.', and keeping only <paramref name="extensions"/> when
    /// given), or the files a glob (<c>*</c>, <c>?</c>, <c>**</c>) matches. Throws <see cref="DataPathNotFoundException"/>
    /// when nothing matches.
    /// </summary>
    IReadOnlyList<DataFile> List(string path, IReadOnlyList<string>? extensions = null);

    /// <summary>
    /// Opens a file to read; the stream must be seekable (Parquet reads its footer first, then the row groups it
    /// needs). Throws <see cref="DataPathNotFoundException"/> for a missing file and <see cref="DataFileException"/>
    /// for one that cannot be opened (no permission).
    /// </summary>
    Stream OpenRead(string path);

    /// <summary>Creates <paramref name="directory"/> and its parents when missing.</summary>
    void CreateDirectory(string directory);

    /// <summary>
    /// A new file under a temporary name next to <paramref name="path"/>, hidden from <see cref="List"/> (a name
    /// starting with '.'); <see cref="Commit"/> renames it to <paramref name="path"/>, <see cref="Delete"/> drops it.
    /// </summary>
    Stream CreateTemporary(string path, out string temporaryPath);

    /// <summary>Atomically renames a finished temporary file to its final path (replacing one there).</summary>
    void Commit(string temporaryPath, string path);

    /// <summary>Deletes a file if it exists (a temporary file after a failed write).</summary>
    void Delete(string path);
}

/// <summary>A file of a dataset: its path and size in bytes.</summary>
public sealed record DataFile(string Path, long Bytes);
