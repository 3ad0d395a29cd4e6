namespace Grid.Data.Formats;

/// <summary>
/// The local file system (paths as the node's OS sees them; on a cluster, a mount every node shares). Listed paths are
/// full paths. Writes go to a hidden temporary file in the target directory and are renamed into place, so a reader
/// never sees half a file and a directory listing never picks up an unfinished one.
/// </summary>
public sealed class LocalFileSystem : IFileSystem
{
    public static LocalFileSystem Instance { get; } = new();

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="extensions"/> (".parquet", with or without the dot, any case) filter the files of a directory or
    /// a glob; a path naming one file is returned as it is, whatever its extension.
    /// </remarks>
    public IReadOnlyList<DataFile> List(string path, IReadOnlyList<string>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IEnumerable<string> paths;
        if (Globs.IsGlob(path))
            paths = Globs.Expand(path).Where(p => HasExtension(p, extensions));
        else if (File.Exists(path))
            paths = [Path.GetFullPath(path)];
        else if (Directory.Exists(path))
            paths = ListDirectory(Path.GetFullPath(path)).Where(p => HasExtension(p, extensions));
        else
            paths = [];
        var files = paths.Order(StringComparer.Ordinal).Select(p => new DataFile(p, new FileInfo(p).Length)).ToList();
        if (files.Count == 0)
            throw new DataPathNotFoundException(path, extensions is { Count: > 0 } ? $"{string.Join(" or ", extensions)} files" : "files");
        return files;
    }

    public Stream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataPathNotFoundException(path, "file");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DataFileException(path, "no permission to read it (or it is a directory)", e);
        }
        catch (IOException e)
        {
            throw new DataFileException(path, $"cannot open it: {e.Message}", e);
        }
    }

    public void CreateDirectory(string directory) => Directory.CreateDirectory(directory);

    /// <remarks>The temporary file is ".&lt;name&gt;.&lt;guid&gt;.tmp" in the directory of <paramref name="path"/>: hidden from listings, and on the same file system so that <see cref="Commit"/> is a rename.</remarks>
    public Stream CreateTemporary(string path, out string temporaryPath)
    {
        string full = Path.GetFullPath(path);
        temporaryPath = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        return new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
    }

    public void Commit(string temporaryPath, string path) => File.Move(temporaryPath, path, overwrite: true);

    public void Delete(string path)
    {
        if (File.Exists(path))
            File.Delete(path);
    }

    /// <summary>Every visible file under <paramref name="directory"/>, recursively (hidden and '_' names skipped, directories too).</summary>
    static IEnumerable<string> ListDirectory(string directory)
    {
        foreach (string file in Directory.EnumerateFiles(directory))
            if (!Globs.IsHidden(Path.GetFileName(file)))
                yield return file;
        foreach (string sub in Directory.EnumerateDirectories(directory))
            if (!Globs.IsHidden(Path.GetFileName(sub)))
                foreach (string file in ListDirectory(sub))
                    yield return file;
    }

    static bool HasExtension(string path, IReadOnlyList<string>? extensions)
    {
        if (extensions is not { Count: > 0 })
            return true;
        foreach (string extension in extensions)
        {
            string dotted = extension.StartsWith('.') ? extension : "." + extension;
            if (path.EndsWith(dotted, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
