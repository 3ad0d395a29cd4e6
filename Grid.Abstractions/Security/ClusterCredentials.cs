using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Grid.Security;

/// <summary>
/// A cluster's TLS credentials: its certificate authority (public part only) and the member certificate every
/// node and client presents, signed by that authority and carrying its private key. A peer is a member when its
/// certificate chains to this cluster's authority: nothing else (the machine's trust store, host names) counts.
/// </summary>
/// <remarks>
/// The authority's private key is dropped right after it signed the member certificate, so nobody, the head
/// included, can issue another certificate the cluster accepts: new credentials mean a new authority (rotation).
/// All members share one certificate because members are equivalent (any member may run code on any node), so
/// per-node identities would protect nothing more. At rest and in Redis the credentials travel sealed
/// (<see cref="Seal"/>): AES-256-GCM under a key derived from the cluster password with PBKDF2-SHA256.
/// </remarks>
public sealed class ClusterCredentials : IDisposable
{
    /// <summary>The name in the member certificate, and the TLS target host members ask for (peers are reached by IP).</summary>
    public const string MemberName = "grid-cluster-member";
    private const uint SealMagic = 0x43445247; // "GRDC"
    private const byte SealVersion = 1;
    private const int SaltSize = 16, NonceSize = 12, TagSize = 16, HeaderSize = 4 + 1 + SaltSize + NonceSize + TagSize;
    /// <summary>PBKDF2 rounds: each process opening the credentials pays this once (tens of ms); a guesser pays it per guess.</summary>
    private const int KeyDerivationRounds = 200_000;

    private ClusterCredentials(X509Certificate2 authority, X509Certificate2 member)
    {
        Authority = authority;
        Member = member;
        ServerContext = SslStreamCertificateContext.Create(member, [], offline: true);
    }

    /// <summary>The cluster's certificate authority (no private key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The certificate members present, with its private key.</summary>
    public X509Certificate2 Member { get; }

    private SslStreamCertificateContext ServerContext { get; }

    /// <summary>New credentials: a fresh authority (ECDSA P-256) and a member certificate it signed, valid <paramref name="lifetime"/>.</summary>
    public static ClusterCredentials Create(string clusterName, TimeSpan lifetime)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5); // tolerate clocks a little behind the head's
        var notAfter = notBefore + lifetime;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN=Grid cluster {clusterName} authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        using var memberKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var memberRequest = new CertificateRequest($"CN={MemberName}", memberKey, HashAlgorithmName.SHA256);
        memberRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        memberRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        memberRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [Oid.FromOidValue("1.3.6.1.5.5.7.3.1", OidGroup.EnhancedKeyUsage), Oid.FromOidValue("1.3.6.1.5.5.7.3.2", OidGroup.EnhancedKeyUsage)], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(MemberName);
        memberRequest.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = memberRequest.Create(authority, notBefore, notAfter, serial);
        using var member = signed.CopyWithPrivateKey(memberKey);

        // Round-trip through PKCS#12 so the key is a persisted (exportable) one that SslStream can use on every platform.
        return FromPkcs12(new X509Certificate2Collection { member, X509CertificateLoader.LoadCertificate(authority.RawData) }.Export(X509ContentType.Pkcs12)!);
    }

    /// <summary>
    /// Whether <paramref name="remote"/> is a member of this cluster: its chain ends at this cluster's authority
    /// (the machine's trust store is not consulted) and it is valid now.
    /// </summary>
    public bool IsMember(X509Certificate? remote)
    {
        if (remote is null) return false;
        var certificate = remote as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
        try
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // Two links exactly: the member, then the authority (which is not itself a member certificate).
            if (!chain.Build(certificate) || chain.ChainElements.Count != 2) return false;
            return chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span);
        }
        finally
        {
            if (!ReferenceEquals(certificate, remote)) certificate.Dispose();
        }
    }

    /// <summary>TLS settings for accepting a member's connection (mutual: the peer must present a member certificate).</summary>
    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = ServerContext,
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => IsMember(certificate),
    };

    /// <summary>TLS settings for connecting to a member, presenting this member's certificate.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = MemberName,
        ClientCertificates = [Member],
        EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => IsMember(certificate),
    };

    /// <summary>The credentials encrypted under <paramref name="password"/> (empty for a cluster without one).</summary>
    public byte[] Seal(string? password)
    {
        var plain = new X509Certificate2Collection { Member, Authority }.Export(X509ContentType.Pkcs12)!;
        var sealedBytes = new byte[HeaderSize + plain.Length];
        var span = sealedBytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, SealMagic);
        span[4] = SealVersion;
        var salt = span.Slice(5, SaltSize);
        var nonce = span.Slice(5 + SaltSize, NonceSize);
        var tag = span.Slice(5 + SaltSize + NonceSize, TagSize);
        RandomNumberGenerator.Fill(salt);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(DeriveKey(password, salt), TagSize);
        aes.Encrypt(nonce, plain, span[HeaderSize..], tag, span[..5]);
        CryptographicOperations.ZeroMemory(plain);
        return sealedBytes;
    }

    /// <summary>
    /// Opens sealed credentials. A wrong password fails with <see cref="GridAuthenticationException"/>; bytes that are
    /// not sealed credentials with <see cref="GridException"/>. <paramref name="where"/> names their origin in messages.
    /// </summary>
    public static ClusterCredentials Unseal(ReadOnlySpan<byte> sealedBytes, string? password, string where, string passwordName)
    {
        if (sealedBytes.Length <= HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(sealedBytes) != SealMagic || sealedBytes[4] != SealVersion)
            throw new GridException($"The cluster credentials in {where} are damaged or of another Grid version; start the cluster afresh (grid start --head --fresh) to make new ones.");
        var plain = new byte[sealedBytes.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(DeriveKey(password, sealedBytes.Slice(5, SaltSize)), TagSize);
            aes.Decrypt(sealedBytes.Slice(5 + SaltSize, NonceSize), sealedBytes[HeaderSize..], sealedBytes.Slice(5 + SaltSize + NonceSize, TagSize), plain, sealedBytes[..5]);
            return FromPkcs12(plain);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new GridAuthenticationException(
                $"The cluster credentials in {where} do not open with this password: they belong to a cluster with another password. " +
                $"Set {passwordName} to the password the cluster's head was started with.", where, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static ClusterCredentials FromPkcs12(byte[] pkcs12)
    {
        var all = X509CertificateLoader.LoadPkcs12Collection(pkcs12, null, X509KeyStorageFlags.Exportable);
        var member = all.Single(c => c.HasPrivateKey);
        var authority = all.Single(c => !c.HasPrivateKey);
        return new ClusterCredentials(authority, member);
    }

    private static byte[] DeriveKey(string? password, ReadOnlySpan<byte> salt) =>
        Rfc2898DeriveBytes.Pbkdf2(password ?? "", salt, KeyDerivationRounds, HashAlgorithmName.SHA256, 32);

    public void Dispose()
    {
        Member.Dispose();
        Authority.Dispose();
    }
}
