using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Dashboard;

/// <summary>
/// The one way the web service and the metrics endpoint start their Kestrel app inside a silo's process: an empty
/// WebApplication (no configuration files, no environment variables: only what the silo's options say), listening on one
/// address, logging through the silo's own logger factory. The caller adds the silo's services it needs and its routes.
/// </summary>
internal static class KestrelApps
{
    /// <summary>Parses a listening host: an IP address, or "localhost" for loopback. Null when it is neither.</summary>
    public static IPAddress? ParseHost(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address : null;

    public static WebApplicationBuilder CreateBuilder(string host, int port, ILoggerFactory loggers)
    {
        var address = ParseHost(host) ?? throw new ArgumentException($"'{host}' is not an IP address to listen on.", nameof(host));
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        // The silo's logging: its providers and filters, not a second set of console loggers.
        builder.Services.AddSingleton(loggers);
        return builder;
    }

    /// <summary>
    /// Starts the app and returns the URL it listens on (a port of 0 resolved). A wildcard address (0.0.0.0, ::) is
    /// reported as <paramref name="advertised"/>, the address others reach this machine at.
    /// </summary>
    public static async Task<string> StartListeningAsync(WebApplication app, string what, string host, int port, IPAddress advertised,
        CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The Grid {what} cannot listen on {host}:{port}: {e.Message} Pick another port (0 picks a free one) " +
                "or stop what uses this one.", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without an address.");
        var uri = new Uri(bound.Replace("://[::]", "://0.0.0.0", StringComparison.Ordinal));
        var shown = uri.Host;
        if (IPAddress.TryParse(shown.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
            shown = advertised.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{advertised}]" : advertised.ToString();
        return $"{uri.Scheme}://{shown}:{uri.Port}";
    }

    /// <summary>Stops the app, giving requests in flight a few seconds, then disposes it.</summary>
    public static async Task StopAsync(WebApplication app, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        try { await app.StopAsync(limit.Token).ConfigureAwait(false); }
        finally { await app.DisposeAsync().ConfigureAwait(false); }
    }
}
