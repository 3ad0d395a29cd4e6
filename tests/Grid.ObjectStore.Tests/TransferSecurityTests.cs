using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Grid.Security;
using Grid.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore.Tests;

/// <summary>
/// A node's store and its transfer channel in a cluster with credentials: TLS with mutual authentication against the cluster's
/// authority, then the node's token. A member with the token moves bytes; a process of another cluster, one without
/// TLS, one with a forged token, or one sending garbage is refused and the server keeps serving. The store's files
/// are its user's only.
/// </summary>
public sealed class TransferSecurityTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(1);
    private static readonly ClusterCredentials Cluster = ClusterCredentials.Create("transfer-test", TimeSpan.FromDays(1));
    private static readonly ClusterCredentials Stranger = ClusterCredentials.Create("another", TimeSpan.FromDays(1));

    private readonly LocalObjectStore _store = TestData.NewStore();
    private readonly ObjectTransferServer _server;
    private readonly TransferEndpoint _endpoint;
    private readonly ObjectId _id = ObjectId.New();
    private readonly byte[] _data = TestData.Pattern(3 * 1024 * 1024 + 17, seed: 3);

    public TransferSecurityTests()
    {
        var options = new ObjectStoreOptions();
        options.Network.ListenAddress = "127.0.0.1";
        options.Network.Credentials = Cluster;
        _server = new ObjectTransferServer(_store, Options.Create(options), NullLogger<ObjectTransferServer>.Instance);
        _endpoint = _server.Endpoint ?? throw new InvalidOperationException("the transfer server did not listen");
        _store.Put(_id, _data);
    }

    private IPEndPoint Address => new(IPAddress.Loopback, _endpoint.Port);

    /// <summary>A client of the channel; the endpoint is given to it, so it asks no grain (none is needed).</summary>
    private static ObjectTransferClient ClientWith(ClusterCredentials? credentials) =>
        new(null!, new NetworkTransferOptions { Credentials = credentials, ChunkSize = 1024 * 1024, ChunkTimeout = TimeSpan.FromSeconds(20) });

    private async Task<byte[]> ReadAsMemberAsync()
    {
        var copy = new byte[_data.Length];
        var reason = await ClientWith(Cluster).TryReadAsync(Address, _endpoint.Token, new NodeId("127.0.0.1:1@1"), _id, _data.Length,
            (offset, bytes) => bytes.CopyTo(copy.AsSpan((int)offset)), _ => { }, CancellationToken.None).WaitAsync(Generous);
        Assert.Null(reason);
        return copy;
    }

    [Fact]
    public async Task A_member_with_the_token_reads_the_object_intact_over_TLS()
    {
        Assert.Equal(_data, await ReadAsMemberAsync());
    }

    [Fact]
    public async Task Another_clusters_credentials_are_refused_at_the_handshake_and_the_reader_falls_back()
    {
        var reason = await ClientWith(Stranger).TryReadAsync(Address, _endpoint.Token, new NodeId("127.0.0.1:1@1"), _id, _data.Length,
            (_, _) => throw new InvalidOperationException("no byte may arrive"), _ => { }, CancellationToken.None).WaitAsync(Generous);

        Assert.NotNull(reason);
        Assert.Contains("TLS handshake", reason);
        Assert.Equal(_data, await ReadAsMemberAsync()); // still serving
    }

    [Fact]
    public async Task A_plain_connection_with_the_right_token_is_refused_so_a_stolen_token_is_worth_nothing()
    {
        var error = await Assert.ThrowsAsync<ObjectTransferException>(() => ClientWith(null).TryReadAsync(Address, _endpoint.Token, new NodeId("127.0.0.1:1@1"), _id, _data.Length,
            (_, _) => throw new InvalidOperationException("no byte may arrive"), _ => { }, CancellationToken.None).WaitAsync(Generous));

        Assert.Contains("127.0.0.1:1@1", error.Message);
        Assert.Equal(_data, await ReadAsMemberAsync());
    }

    [Fact]
    public async Task A_member_with_a_forged_token_is_refused()
    {
        var forged = (byte[])_endpoint.Token.Clone();
        forged[0] ^= 0xff;

        var error = await Assert.ThrowsAsync<ObjectTransferException>(() => ClientWith(Cluster).TryReadAsync(Address, forged, new NodeId("127.0.0.1:1@1"), _id, _data.Length,
            (_, _) => throw new InvalidOperationException("no byte may arrive"), _ => { }, CancellationToken.None).WaitAsync(Generous));

        Assert.Contains("Unauthorized", error.Message);
        Assert.Equal(_data, await ReadAsMemberAsync());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated TLS record")]
    [InlineData("plain request")]
    public async Task Bad_bytes_on_the_port_end_in_a_closed_connection_and_the_server_keeps_serving(string what)
    {
        byte[] bytes = what switch
        {
            "garbage" => TestData.Pattern(4096, seed: 9),
            "truncated TLS record" => [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00], // a handshake record announcing 512 bytes, cut short
            _ => PlainRequest(_endpoint.Token),
        };

        Assert.True(await RawConnections.DroppedAsync(Address, bytes, Generous), "the server must close the connection");
        Assert.Equal(_data, await ReadAsMemberAsync());
    }

    [Fact]
    public async Task A_TLS_client_without_a_certificate_is_refused()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Address);
        await using var tls = new SslStream(tcp.GetStream());
        var options = Cluster.ClientOptions();
        options.ClientCertificates = null; // trusts the server, proves nothing itself

        // TLS 1.3 reports the server's refusal of the client on the first read after the handshake.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(options);
            await tls.WriteAsync(PlainRequest(_endpoint.Token));
            var buffer = new byte[16];
            if (await tls.ReadAsync(buffer) == 0) throw new IOException("closed");
        });

        Assert.True(refused is AuthenticationException or IOException, $"expected a refusal, got {refused?.GetType().Name ?? "an answer"}");
        Assert.Equal(_data, await ReadAsMemberAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_stores_directory_is_its_users_only()
    {
        // Same-host readers map the object files in place; other users of the machine must not.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_store.Directory));
    }

    /// <summary>A well-formed read request of the channel's protocol (version 1) for the test object.</summary>
    private byte[] PlainRequest(byte[] token)
    {
        var request = new byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(request, 0x54445247);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), 1);
        token.CopyTo(request.AsSpan(8));
        BinaryPrimitives.WriteUInt64LittleEndian(request.AsSpan(24), _id.Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(request.AsSpan(32), _id.Lo);
        BinaryPrimitives.WriteInt64LittleEndian(request.AsSpan(48), 1024);
        return request;
    }

    public void Dispose()
    {
        _server.Dispose();
        _store.Dispose();
    }
}
