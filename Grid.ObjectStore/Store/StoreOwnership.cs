using Microsoft.Extensions.Logging;

namespace Grid.ObjectStore;

/// <summary>
/// Who owns a store directory, and cleaning up after owners that died. A store that creates its directory holds an
/// exclusive lock on a file beside it (<c>&lt;directory&gt;.lock</c>, naming the store's spill directory) for as long
/// as it runs. A process that is killed cannot remove its directory, and on tmpfs (/dev/shm, the default) its objects
/// would hold memory until the machine reboots. The next store to open beside it finds the lock free and removes the
/// directory, its spill directory and the lock file. A lock, not the process id in the name: a process in another
/// container sharing /dev/shm may be alive though its id means nothing here, and a reused id would look alive.
/// </summary>
internal sealed class StoreOwnership : IDisposable
{
    public const string LockSuffix = ".lock";
    /// <summary>The prefix of store directories that may be removed once their owner is gone (the default names).</summary>
    public const string StorePrefix = "grid-objects-";
    private const string SpillPrefix = "grid-spill-";

    private readonly FileStream _lock;
    private readonly string _path;

    private StoreOwnership(FileStream lockFile, string path)
    {
        _lock = lockFile;
        _path = path;
    }

    public static string LockPathOf(string directory) => directory.TrimEnd(Path.DirectorySeparatorChar) + LockSuffix;

    /// <summary>Locks <paramref name="directory"/> for this store, recording its spill directory.</summary>
    public static StoreOwnership Take(string directory, string spillDirectory)
    {
        // FileShare.None is an exclusive flock on Unix: held until this handle closes, or the process dies. A store
        // opening beside this one at the same moment may hold it for a moment to probe it (and leaves it: the file
        // is still empty), hence the few tries.
        var path = LockPathOf(directory);
        FileStream file;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
                break;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(10 * attempt);
            }
        }
        file.Write(System.Text.Encoding.UTF8.GetBytes(spillDirectory));
        file.Flush();
        return new StoreOwnership(file, path);
    }

    /// <summary>Called once the store has removed its directory: the lock file goes too.</summary>
    public void Dispose()
    {
        try { File.Delete(_path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _lock.Dispose();
    }

    /// <summary>
    /// Removes the store directories beside <paramref name="directory"/> whose owner is gone: named like a default
    /// store directory, with a lock file that nobody holds. Directories without a lock file are left alone.
    /// </summary>
    public static void RemoveOrphansBeside(string directory, ILogger logger)
    {
        var parent = Path.GetDirectoryName(directory);
        if (parent is null || !Path.GetFileName(directory).StartsWith(StorePrefix, StringComparison.Ordinal)) return;
        string[] locks;
        try { locks = Directory.GetFiles(parent, StorePrefix + "*" + LockSuffix); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var lockPath in locks)
        {
            var orphan = lockPath[..^LockSuffix.Length];
            if (string.Equals(orphan, directory, StringComparison.Ordinal)) continue;
            if (TryClaimOrphan(lockPath) is not { } spill) continue;
            try
            {
                if (Directory.Exists(orphan)) Directory.Delete(orphan, recursive: true);
                if (Path.GetFileName(spill).StartsWith(SpillPrefix, StringComparison.Ordinal) && Directory.Exists(spill)) Directory.Delete(spill, recursive: true);
                File.Delete(lockPath);
                Log.OrphanRemoved(logger, orphan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.DirectoryNotRemoved(logger, e, orphan);
            }
        }
    }

    /// <summary>The orphan's spill directory when its lock is free; null when it is owned, being created, or gone.</summary>
    private static string? TryClaimOrphan(string lockPath)
    {
        try
        {
            using var file = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None);
            using var reader = new StreamReader(file);
            var spill = reader.ReadToEnd();
            // Empty: a store that has just created the file and not yet written it (its owner is alive).
            return spill.Length == 0 ? null : spill;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // its store is running, or the file went away with it
        }
    }
}
