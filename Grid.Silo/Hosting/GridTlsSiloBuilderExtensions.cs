using Grid.Hosting;
using Grid.ObjectStore;
using Grid.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Silo;

public static class GridTlsSiloBuilderExtensions
{
    /// <summary>
    /// Makes every connection of this silo TLS with mutual authentication under the cluster's credentials
    /// (<see cref="GridTls.Configure"/>): silo to silo, client to gateway, and the node's object-transfer channel. A
    /// peer that cannot present a certificate of the cluster's authority is dropped at the handshake.
    /// </summary>
    public static ISiloBuilder UseGridTls(this ISiloBuilder silo, ClusterCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(credentials);
        silo.UseTls(tls => GridTls.Configure(tls, credentials));
        silo.Services.Configure<ObjectStoreOptions>(o => o.Network.Credentials = credentials);
        return silo;
    }
}
