using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grid.Security;

namespace Grid.Abstractions.Tests.Security;

/// <summary>
/// A cluster's credentials: sealed under the password (only that password opens them), and membership decided by
/// the chain to the cluster's own authority, never by names or the machine's trust store.
/// </summary>
public sealed class ClusterCredentialsTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void Sealed_credentials_open_with_the_password_and_keep_their_certificates()
    {
        using var credentials = ClusterCredentials.Create("c", Day);

        using var opened = ClusterCredentials.Unseal(credentials.Seal("s3cret"), "s3cret", "the test", "--password");

        Assert.Equal(credentials.Authority.Thumbprint, opened.Authority.Thumbprint);
        Assert.Equal(credentials.Member.Thumbprint, opened.Member.Thumbprint);
        Assert.True(opened.Member.HasPrivateKey);
        Assert.False(opened.Authority.HasPrivateKey); // nobody can issue more member certificates
        Assert.True(opened.IsMember(credentials.Member));
    }

    [Fact]
    public void A_wrong_password_fails_with_GridAuthenticationException_naming_the_option()
    {
        using var credentials = ClusterCredentials.Create("c", Day);
        var sealedBytes = credentials.Seal("s3cret");

        var error = Assert.Throws<GridAuthenticationException>(() => ClusterCredentials.Unseal(sealedBytes, "wrong", "Redis at h:1", "--password (or GRID_PASSWORD)"));

        Assert.Contains("--password (or GRID_PASSWORD)", error.Message);
        Assert.Contains("Redis at h:1", error.Message);
        Assert.IsType<AuthenticationTagMismatchException>(error.InnerException);
    }

    [Fact]
    public void Damaged_or_foreign_bytes_fail_with_a_GridException()
    {
        using var credentials = ClusterCredentials.Create("c", Day);
        var sealedBytes = credentials.Seal("p");
        sealedBytes[^1] ^= 1;

        Assert.Throws<GridAuthenticationException>(() => ClusterCredentials.Unseal(sealedBytes, "p", "x", "--password")); // the tag catches tampering
        Assert.Throws<GridException>(() => ClusterCredentials.Unseal("not sealed credentials"u8, "p", "x", "--password"));
    }

    [Fact]
    public void Only_certificates_of_the_clusters_own_authority_are_members()
    {
        using var cluster = ClusterCredentials.Create("c", Day);
        using var other = ClusterCredentials.Create("c", Day); // same name, another authority

        Assert.True(cluster.IsMember(cluster.Member));
        Assert.False(cluster.IsMember(other.Member));
        Assert.False(cluster.IsMember(cluster.Authority)); // the authority is not a member certificate
        Assert.False(cluster.IsMember(null));

        // A look-alike: the member's name, self-signed.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var impostor = new CertificateRequest($"CN={ClusterCredentials.MemberName}", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.False(cluster.IsMember(impostor));
    }

    [Fact]
    public void Expired_credentials_are_not_members()
    {
        using var expired = ClusterCredentials.Create("c", TimeSpan.FromMinutes(1)); // valid from 5 minutes ago: already over

        Assert.False(expired.IsMember(expired.Member));
    }
}
