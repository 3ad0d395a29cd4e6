using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Grid.Hosting;
using Grid.Samples.Scenarios;
using Grid.Security;
using Grid.Testing;

namespace Grid.Cluster.Tests;

/// <summary>
/// Hostile input on every port of a real <c>grid start</c> cluster (TLS by default): garbage and truncated frames,
/// plain connections, TLS with another cluster's certificate or none, clients with wrong or no credentials,
/// replayed and forged transfer tokens. Each ends in a refusal or a typed error; afterwards the nodes still serve
/// (100 tasks over all three) and the object they held before is intact.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class HostileInputTests(LocalCluster cluster)
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(1);
    private static readonly ClusterCredentials Stranger = ClusterCredentials.Create("stranger", TimeSpan.FromDays(1));

    public static TheoryData<string> Inputs => ["garbage", "truncated TLS record", "Orleans without TLS"];

    [Theory]
    [MemberData(nameof(Inputs))]
    public Task Bad_bytes_on_the_gateway_and_silo_ports_are_dropped(string input) => ThenStillServingAsync(async member =>
    {
        foreach (var (silo, gateway) in await member.NodeEndpointsAsync())
        {
            Assert.True(await RawConnections.DroppedAsync(gateway, Bytes(input), Generous), $"gateway {gateway} answered {input}");
            Assert.True(await RawConnections.DroppedAsync(silo, Bytes(input), Generous), $"silo port {silo} answered {input}");
        }
    });

    [Fact]
    public Task TLS_with_another_clusters_certificate_or_none_is_refused_on_every_port() => ThenStillServingAsync(async member =>
    {
        var nodes = await cluster.AliveNodesAsync();
        var transfer = await member.TransferEndpointAsync(nodes[0].NodeId);
        foreach (var (silo, gateway) in await member.NodeEndpointsAsync())
            foreach (var endpoint in new[] { silo, gateway, transfer.Endpoint })
            {
                Assert.True(await HandshakeRefusedAsync(endpoint, Stranger.Member), $"{endpoint} accepted another cluster's certificate");
                Assert.True(await HandshakeRefusedAsync(endpoint, certificate: null), $"{endpoint} accepted a client without a certificate");
            }
    });

    [Fact]
    public Task Transfer_port_drops_garbage_and_replayed_or_forged_tokens_sent_without_TLS() => ThenStillServingAsync(async member =>
    {
        foreach (var node in await cluster.AliveNodesAsync())
        {
            var (endpoint, token) = await member.TransferEndpointAsync(node.NodeId);
            var forged = (byte[])token.Clone();
            forged[^1] ^= 0x5a;
            foreach (var bytes in new[] { Bytes("garbage"), Bytes("truncated TLS record"), TransferRequest(token), TransferRequest(forged) })
                Assert.True(await RawConnections.DroppedAsync(endpoint, bytes, Generous), $"transfer port {endpoint} answered");
        }
    });

    [Fact]
    public Task A_client_with_another_clusters_credentials_gets_GridAuthenticationException() => ThenStillServingAsync(async member =>
    {
        var gateway = (await member.NodeEndpointsAsync())[0].Gateway;
        var options = new GridClientOptions { Gateways = [gateway.ToString()], Credentials = Stranger, Code = new() { Enabled = false } };

        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() => GridClient.ConnectAsync(options).WaitAsync(Generous));

        Assert.Contains("TLS handshake", error.Message);
        Assert.Contains("address and password", error.Message);
        Assert.NotNull(error.InnerException); // the library's own failure, kept out of the message
        Assert.DoesNotContain(error.InnerException!.Message, error.Message);
    });

    [Fact]
    public Task A_client_without_credentials_gets_GridAuthenticationException_saying_TLS_is_required() => ThenStillServingAsync(async member =>
    {
        var gateway = (await member.NodeEndpointsAsync())[0].Gateway;
        // Orleans retries a gateway that drops its connections; the client gives up after its connect timeout and says why.
        var options = new GridClientOptions { Gateways = [gateway.ToString()], Code = new() { Enabled = false }, ConnectTimeout = TimeSpan.FromSeconds(5) };

        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() => GridClient.ConnectAsync(options).WaitAsync(Generous));

        Assert.Contains("require TLS", error.Message);
        Assert.Contains(gateway.ToString(), error.Message);
    });

    [Fact]
    public Task A_client_with_a_wrong_password_gets_GridAuthenticationException_naming_the_setting() => ThenStillServingAsync(async _ =>
    {
        var error = await Assert.ThrowsAsync<GridAuthenticationException>(() => GridClient.ConnectAsync(cluster.Address, "not-the-password").WaitAsync(Generous));

        Assert.Contains("GRID_PASSWORD", error.Message);
        Assert.DoesNotContain("WRONGPASS", error.Message);
    });

    [Theory]
    [InlineData("localhost:")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("no-port")]
    public async Task A_malformed_address_is_a_typed_error(string address)
    {
        var error = await Assert.ThrowsAsync<GridConnectionException>(() => GridClient.ConnectAsync(address, LocalCluster.Password).WaitAsync(Generous));

        Assert.Contains(address, error.Message);
        Assert.Contains("HOST:PORT", error.Message);
    }

    /// <summary>
    /// Runs <paramref name="attack"/> with a member client at hand; then a client with the password still gets the
    /// object put before the attack and runs 100 tasks over all the nodes.
    /// </summary>
    private async Task ThenStillServingAsync(Func<MemberClient, Task> attack)
    {
        var nodes = await cluster.AliveNodesAsync();
        var kept = Enumerable.Range(0, 512 * 1024).Select(i => (byte)(i * 7)).ToArray(); // above the inline threshold: held by a node's store
        await using (var grid = await GridClient.ConnectAsync(cluster.Address, LocalCluster.Password))
        {
            var reference = await grid.PutAsync(kept);
            await using (var member = await MemberClient.ConnectAsync(cluster.Redis))
                await attack(member);

            Assert.Equal(kept, await grid.GetAsync(reference, Generous));
            var spread = await Spread.AcrossNodesAsync(grid, tasks: 100);
            Assert.Equal(100, spread.Values.Sum());
        }
        Assert.Equal(nodes.Length, (await cluster.AliveNodesAsync()).Length);
    }

    private static byte[] Bytes(string input) => input switch
    {
        "garbage" => [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7))],
        "truncated TLS record" => [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00], // a ClientHello record announcing 512 bytes, cut short
        // What an Orleans client without TLS opens with: a length-prefixed preamble (here announcing a grain id).
        _ => [0x20, 0x00, 0x00, 0x00, .. Enumerable.Repeat((byte)0x41, 32)],
    };

    /// <summary>A read request of the transfer protocol (version 1) with <paramref name="token"/>, as a thief would replay it.</summary>
    private static byte[] TransferRequest(byte[] token)
    {
        var request = new byte[56];
        BitConverter.TryWriteBytes(request.AsSpan(0), 0x54445247u);
        BitConverter.TryWriteBytes(request.AsSpan(4), (ushort)1);
        token.CopyTo(request.AsSpan(8));
        BitConverter.TryWriteBytes(request.AsSpan(48), 1024L);
        return request;
    }

    /// <summary>
    /// A TLS client that trusts any server and presents <paramref name="certificate"/> (or none): true when the server
    /// refuses it, at the handshake or (TLS 1.3 reports a refused client certificate late) on the first read.
    /// </summary>
    private static async Task<bool> HandshakeRefusedAsync(IPEndPoint endpoint, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await using var tls = new SslStream(tcp.GetStream());
        using var deadline = new CancellationTokenSource(Generous);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = ClusterCredentials.MemberName,
                ClientCertificates = certificate is null ? null : [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, deadline.Token);
            await tls.WriteAsync(new byte[64], deadline.Token);
            return await tls.ReadAsync(new byte[64], deadline.Token) == 0;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return true;
        }
    }
}
