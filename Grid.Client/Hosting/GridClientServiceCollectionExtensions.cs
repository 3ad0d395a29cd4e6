using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Grid.Hosting;

/// <summary>A <see cref="GridClient"/> for services and workers on the generic host.</summary>
public static class GridClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="GridClient"/> that connects when the host starts and disconnects (ending its job) when it stops.
    /// Registration does no I/O: the options are validated at start (<c>ValidateOnStart</c>), the cluster's credentials
    /// are read and the connection made in the host's start, which fails with <see cref="GridConnectionException"/> or
    /// <see cref="GridAuthenticationException"/> as <see cref="GridClient.ConnectAsync(GridClientOptions, CancellationToken)"/>
    /// does. Inject <see cref="GridClient"/> into what runs after the start (request handlers, a
    /// <see cref="BackgroundService"/>'s loop); options can also be bound from configuration
    /// (<c>services.Configure&lt;GridClientOptions&gt;(section)</c>).
    /// </summary>
    public static IServiceCollection AddGridClient(this IServiceCollection services, Action<GridClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GridClientOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GridClientOptions>, GridClientOptionsValidator>());
        services.TryAddSingleton<GridClientService>();
        // Added before services registered after it, so the client is connected when their StartAsync runs.
        services.AddHostedService(sp => sp.GetRequiredService<GridClientService>());
        services.TryAddSingleton(sp => sp.GetRequiredService<GridClientService>().Client);
        return services;
    }
}

/// <summary>Connects the host's GridClient at start and disposes it at stop.</summary>
internal sealed class GridClientService(IOptions<GridClientOptions> options) : IHostedService, IAsyncDisposable
{
    private GridClient? _client;

    /// <summary>The connected client; resolving it before the host started is a programming error, said as such.</summary>
    public GridClient Client => _client ?? throw new InvalidOperationException(
        "The GridClient connects when the host starts: resolve it after IHost.StartAsync (in a request handler, or in a " +
        "hosted service registered after AddGridClient), not while services are being built.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _client ??= await GridClientConnector.ConnectAsync(options.Value, cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        var client = Interlocked.Exchange(ref _client, null);
        if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
    }
}
