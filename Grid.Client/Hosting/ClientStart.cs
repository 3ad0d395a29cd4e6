using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.Hosting;

/// <summary>
/// Starts a client's Orleans host and turns every way that can fail into Grid's typed errors, never a hang.
/// Orleans keeps retrying gateways whose connections drop (a refused TLS handshake looks like that to it), so the
/// start is bounded: it ends at the first refused handshake (<see cref="GridAuthenticationException"/>), or after
/// <see cref="GridClientOptions.ConnectTimeout"/>, when the gateways are probed to say why.
/// </summary>
internal static class ClientStart
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static async Task StartAsync(IHost host, GridClientOptions options, CancellationToken cancellationToken)
    {
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = host.StartAsync(starting.Token);
        var refused = host.Services.GetService<TlsHandshakeFailures>()?.Failed ?? Task.Delay(Timeout.Infinite, starting.Token);
        var first = await Task.WhenAny(start, refused, Task.Delay(options.ConnectTimeout, starting.Token)).ConfigureAwait(false);
        Exception? error = null;
        if (first == start)
        {
            try { await start.ConfigureAwait(false); return; }
            catch (Exception e) { error = e; }
        }
        await starting.CancelAsync().ConfigureAwait(false);
        try { await start.ConfigureAwait(false); } catch (Exception) { /* the reason is worked out below */ }
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw await FailureAsync(error, host.Services, options).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>Why the client could not connect, in Grid's words; the library's exception, if any, is the inner one.</summary>
    private static async Task<Exception> FailureAsync(Exception? error, IServiceProvider services, GridClientOptions options)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is GridAuthenticationException or GridConnectionException) return e;
        var where = options.Redis?.Address ?? string.Join(", ", options.Gateways);
        if (services.GetService<TlsHandshakeFailures>()?.Last is { } handshake)
            return new GridAuthenticationException(
                $"The cluster at {where} refused this client at the TLS handshake, or answered with a certificate that is not the cluster's: " +
                "the client's credentials belong to another cluster (or an earlier one, since rotated). Connect with the cluster's address " +
                $"and password so the client reads the current credentials, or give the cluster's own in {nameof(GridClientOptions)}.{nameof(GridClientOptions.Credentials)}.",
                where, handshake);
        if (options.Redis is null && options.Credentials is null && await AnyGatewaySpeaksTlsAsync(options.Gateways).ConfigureAwait(false))
            return new GridAuthenticationException(
                $"The cluster's gateways at {where} require TLS with the cluster's credentials (the default of 'grid start'), and this client has none. " +
                "Connect with the cluster's address and password (GridClient.ConnectAsync(\"HOST:PORT\", password)), which gives the client the credentials.",
                where, error);
        var waited = error is null ? $"within {options.ConnectTimeout.TotalSeconds:0.#} s" : "at all";
        return new GridConnectionException(
            $"No gateway of the cluster at {where} accepted this client {waited}. Check that its nodes run ('grid status'), that no firewall blocks " +
            "their gateway ports, and, for a cluster started with 'grid start', connect with its address and password rather than gateway addresses.",
            where, error);
    }

    /// <summary>Whether a gateway answers a TLS hello with a certificate: it wants TLS, whatever this client offered.</summary>
    private static async Task<bool> AnyGatewaySpeaksTlsAsync(IEnumerable<string> gateways)
    {
        foreach (var gateway in gateways)
        {
            IPEndPoint endpoint;
            try { endpoint = GridClientConnector.ParseEndpoint(gateway); }
            catch (GridConnectionException) { continue; }
            var sawCertificate = false;
            using var deadline = new CancellationTokenSource(ProbeTimeout);
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
                await using var tls = new SslStream(tcp.GetStream());
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = Security.ClusterCredentials.MemberName,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => (sawCertificate = certificate is not null) && false,
                }, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // Refused, not TLS, or our own refusal of its certificate after seeing it: sawCertificate tells which.
            }
            if (sawCertificate) return true;
        }
        return false;
    }
}
