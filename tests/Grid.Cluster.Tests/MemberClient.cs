using System.Net;
using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace Grid.Cluster.Tests;

/// <summary>
/// A plain Orleans client that joins a <c>grid start</c> cluster the way members do (its Redis, with the password,
/// and the credentials sealed there): the tests' way to learn what an attacker would aim at (gateway, silo and
/// transfer ports, a node's transfer token), so that they can then attack it without credentials.
/// </summary>
public sealed class MemberClient : IAsyncDisposable
{
    private readonly IHost _host;

    private MemberClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<MemberClient> ConnectAsync(GridRedisOptions redis)
    {
        var credentials = await ClusterSecurity.ReadAsync(redis);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseGridRedis(redis.CopyTo);
            if (credentials is not null) client.UseGridTls(credentials);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new MemberClient(host);
    }

    /// <summary>Each live node's silo and gateway endpoints, as its membership entry has them.</summary>
    public async Task<(IPEndPoint Silo, IPEndPoint Gateway)[]> NodeEndpointsAsync()
    {
        var hosts = await Client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        return [.. hosts.Select(h => (h.SiloAddress.Endpoint, new IPEndPoint(h.SiloAddress.Endpoint.Address, h.ProxyPort)))];
    }

    /// <summary>A node's transfer channel: its port and the token its transfer grain hands to members.</summary>
    public async Task<(IPEndPoint Endpoint, byte[] Token)> TransferEndpointAsync(NodeId node)
    {
        var endpoint = await Client.GetGrain<IObjectTransferGrain>(node.Value).GetEndpoint()
            ?? throw new InvalidOperationException($"node {node} has no transfer channel");
        return (new IPEndPoint(SiloAddress.FromParsableString(node.Value).Endpoint.Address, endpoint.Port), endpoint.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
