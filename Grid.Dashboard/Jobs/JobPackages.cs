using System.IO.Compression;
using System.Security.Cryptography;
using Grid.Silo.Gcs;
using Microsoft.AspNetCore.Http;

namespace Grid.Dashboard.Jobs;

/// <summary>
/// Working-directory packages of submitted jobs (<c>PUT /api/packages/{hash}</c>): zips kept in the GCS's code package
/// store under their SHA-256, so any head of the cluster can unpack them. The hash is checked against the bytes, the
/// size is bounded, and no entry may point outside the directory it unpacks into (zip-slip), at upload and at unpacking.
/// </summary>
internal sealed class JobPackages(IGcs gcs, long maxBytes = JobPackages.DefaultMaxBytes)
{
    /// <summary>The largest package accepted by default (the zip's bytes; <see cref="DashboardOptions.MaxPackageBytes"/>).</summary>
    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    /// <summary>The largest package this head accepts (the zip's bytes).</summary>
    public long MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "A package limit must be positive.");
    /// <summary>The most a package may unpack to: a bound on zip bombs.</summary>
    public const long MaxUnpackedBytes = 4L * 1024 * 1024 * 1024;

    // Code packages of drivers (JobCodeShipper) share the store; working directories keep to keys of their own.
    private static string Key(string hash) => "workdir-" + hash;

    /// <summary>Whether <paramref name="hash"/> is a SHA-256 in lower-case hex, the only names packages have.</summary>
    public static bool IsHash(string hash) => hash.Length == 64 && hash.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public Task<bool> HasAsync(string hash) => IsHash(hash) ? gcs.HasCodePackageAsync(Key(hash)) : Task.FromResult(false);

    /// <summary>Reads the body (at most <see cref="MaxBytes"/>), checks its hash and entries, and stores it.</summary>
    public async Task PutAsync(string hash, Stream body, long? length, CancellationToken cancellationToken)
    {
        if (!IsHash(hash))
            throw JobRequestException.BadRequest($"'{hash}' is not a package name: use the SHA-256 of the zip's bytes, 64 lower-case hex digits.");
        if (length > MaxBytes) throw TooLarge(length.Value);
        using var buffer = new MemoryStream(length is > 0 ? (int)length.Value : 0);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw TooLarge(buffer.Length + read);
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != hash)
            throw JobRequestException.BadRequest($"The package's SHA-256 is {actual}, not the {hash} it was sent as: the upload was changed or cut short; send it again.");
        Check(bytes, Path.Combine(Path.GetTempPath(), "package"));
        await gcs.PutCodePackageAsync(Key(hash), bytes).ConfigureAwait(false);
    }

    /// <summary>Unpacks the stored package into <paramref name="directory"/> (which exists); a missing one is a 400.</summary>
    public async Task UnpackAsync(string hash, string directory)
    {
        var bytes = await gcs.GetCodePackageAsync(Key(hash)).ConfigureAwait(false)
            ?? throw JobRequestException.BadRequest($"The cluster has no working-directory package {hash}: upload it with PUT /api/packages/{hash} first.");
        var root = Check(bytes, directory);
        using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
            {
                Directory.CreateDirectory(target);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target, overwrite: false);
        }
    }

    /// <summary>
    /// Throws a 400 unless <paramref name="bytes"/> is a zip whose every entry lands inside <paramref name="directory"/>
    /// and whose entries unpack to at most <see cref="MaxUnpackedBytes"/>; returns the directory's full path with a separator.
    /// </summary>
    private static string Check(byte[] bytes, string directory)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            long unpacked = 0;
            foreach (var entry in archive.Entries)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                if (!target.StartsWith(root, StringComparison.Ordinal) && target + Path.DirectorySeparatorChar != root)
                    throw JobRequestException.BadRequest($"The package's entry '{entry.FullName}' points outside the directory it unpacks into; " +
                        "refused (a zip-slip path). Zip the working directory's own files, with paths relative to it.");
                unpacked += entry.Length;
            }
            if (unpacked > MaxUnpackedBytes)
                throw JobRequestException.BadRequest($"The package unpacks to {unpacked} bytes, more than the {MaxUnpackedBytes} a working directory may hold.");
            return root;
        }
        catch (InvalidDataException e)
        {
            throw JobRequestException.BadRequest($"The package is not a zip archive ({e.Message}): send the working directory zipped.");
        }
    }

    private JobRequestException TooLarge(long bytes) => new(StatusCodes.Status413PayloadTooLarge,
        $"The working directory's package is {Megabytes(bytes)} or more; this head accepts at most {Megabytes(MaxBytes)} " +
        "(DashboardOptions.MaxPackageBytes). " +
        "Leave build outputs and data out of the working directory (data belongs in the object store or shared storage).");

    private static string Megabytes(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.##} MB");
}
