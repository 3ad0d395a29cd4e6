using System.IO.Compression;
using System.Security.Cryptography;
using Grid.Dashboard.Jobs;
using Grid.Silo.Gcs;

namespace Grid.Dashboard.Tests.Jobs;

/// <summary>
/// A working directory over the head's package limit (DashboardOptions.MaxPackageBytes) is refused with 413 and a
/// message naming the limit, whether the upload declared its length or not, and nothing of it is stored.
/// </summary>
public sealed class JobPackageLimitTests
{
    private const long Limit = 64 * 1024;

    private static (byte[] Zip, string Hash) IncompressiblePackage(int bytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        using (var entry = zip.CreateEntry("data.bin").Open())
            entry.Write(RandomNumberGenerator.GetBytes(bytes));
        var package = buffer.ToArray();
        return (package, Convert.ToHexStringLower(SHA256.HashData(package)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_package_over_the_limit_is_refused_with_413_naming_the_limit_and_nothing_is_stored(bool lengthDeclared)
    {
        var packages = new JobPackages(new InMemoryGcs(), Limit);
        var (zip, hash) = IncompressiblePackage(4 * (int)Limit);

        var refused = await Assert.ThrowsAsync<JobRequestException>(() =>
            packages.PutAsync(hash, new MemoryStream(zip), lengthDeclared ? zip.Length : null, CancellationToken.None));

        Assert.Equal(413, refused.Status);
        Assert.Contains("MaxPackageBytes", refused.Message);
        Assert.Contains("0.06 MB", refused.Message);
        Assert.False(await packages.HasAsync(hash));
    }

    [Fact]
    public async Task A_package_within_the_limit_is_stored()
    {
        var packages = new JobPackages(new InMemoryGcs(), Limit);
        var (zip, hash) = IncompressiblePackage((int)Limit / 2);

        await packages.PutAsync(hash, new MemoryStream(zip), zip.Length, CancellationToken.None);

        Assert.True(await packages.HasAsync(hash));
    }
}
