using System.Security.Authentication;
using Grid.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace Grid.Hosting;

/// <summary>
/// Orleans' TLS (Microsoft.Orleans.Connections.Security) set up for a Grid cluster: every connection, silo to silo and
/// client to gateway, is TLS 1.2+ with mutual authentication, both ends presenting the cluster's member certificate
/// and accepting only a peer whose certificate chains to the cluster's authority (<see cref="ClusterCredentials.IsMember"/>).
/// A peer without it is dropped at the handshake, before a byte of Orleans' protocol is read.
/// </summary>
internal static class GridTls
{
    /// <summary>Applies the cluster's credentials to Orleans' TLS options (silo and client alike: one set of rules).</summary>
    public static void Configure(TlsOptions tls, ClusterCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(credentials);
        tls.LocalCertificate = credentials.Member;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate; // a gateway demands a client certificate too
        tls.SslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12;
        tls.CheckCertificateRevocation = false; // the cluster's authority publishes no revocation list: rotation replaces it
        tls.HandshakeTimeout = TimeSpan.FromSeconds(10);
        // Host names do not matter (peers are reached by IP); membership is the certificate's chain to the cluster authority.
        tls.RemoteCertificateValidation = (certificate, _, _) => credentials.IsMember(certificate);
        tls.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = ClusterCredentials.MemberName;
    }

    /// <summary>Makes an Orleans client connect to the gateways with TLS and the cluster's credentials.</summary>
    public static IClientBuilder UseGridTls(this IClientBuilder client, ClusterCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.UseTls(tls => Configure(tls, credentials));
        // Orleans logs a failed client handshake and drops the connection; this keeps the failure for the connect error.
        client.Services.AddSingleton<TlsHandshakeFailures>();
        client.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<TlsHandshakeFailures>());
        return client;
    }
}

/// <summary>
/// Remembers the last TLS handshake refusal Orleans' client middleware logged (it swallows the exception and closes
/// the connection), so a client that cannot connect can say it was refused at the handshake and why. It relies on
/// the middleware's log category (Orleans.Connections.Security 10.4.2); should that change, a refused client still
/// fails, after its connect timeout, through the gateway probe.
/// </summary>
internal sealed class TlsHandshakeFailures : ILoggerProvider
{
    private const string MiddlewareCategory = "Orleans.Connections.Security.TlsClientConnectionMiddleware";

    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? Last { get; private set; }

    /// <summary>Completes at the first failed handshake.</summary>
    public Task Failed => _failed.Task;

    public ILogger CreateLogger(string categoryName) =>
        categoryName == MiddlewareCategory ? new Recorder(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose() { }

    private sealed class Recorder(TlsHandshakeFailures owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Only a refusal counts (an alert, or a certificate that is not the cluster's): a connection that merely
            // dropped mid-handshake (a node stopping) is Orleans' to retry on another gateway.
            if (logLevel < LogLevel.Warning || exception is not System.Security.Authentication.AuthenticationException) return;
            owner.Last = exception;
            owner._failed.TrySetResult();
        }
    }
}
