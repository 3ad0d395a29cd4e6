using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.ObjectStore;

internal static class ObjectStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a node's object store and its puller (singletons) for a silo. The silo must also register
    /// NodePinnedPlacementDirector for NodePinnedPlacement so each node's <see cref="ObjectStoreGrain"/> lives on it.
    /// </summary>
    public static IServiceCollection AddGridObjectStore(this IServiceCollection services, Action<ObjectStoreOptions>? configure = null)
    {
        AddOptions(services, configure);
        services.TryAddSingleton<LocalObjectStore>();
        services.TryAddSingleton(CreatePuller);
        // The node's TCP transfer endpoint, closed when the silo stops so that pulls from it fail fast.
        services.TryAddSingleton<ObjectTransferServer>();
        services.AddHostedService(s => s.GetRequiredService<ObjectTransferServer>());
        return services;
    }

    /// <summary>
    /// Registers only the <see cref="ObjectManager"/>, without a local store: for processes that fetch and push but
    /// hold no objects (remote clients).
    /// </summary>
    public static IServiceCollection AddGridObjectTransfer(this IServiceCollection services, Action<ObjectStoreOptions>? configure = null)
    {
        AddOptions(services, configure);
        services.TryAddSingleton(CreatePuller);
        return services;
    }

    private static void AddOptions(IServiceCollection services, Action<ObjectStoreOptions>? configure)
    {
        var options = services.AddOptions<ObjectStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ObjectStoreOptions>, ObjectStoreOptionsValidator>());
        if (configure is not null) options.Configure(configure);
    }

    // A factory, because the store is optional: GetService gives null where only AddGridObjectTransfer ran.
    private static ObjectManager CreatePuller(IServiceProvider services) => new(
        services.GetRequiredService<IGrainFactory>(),
        services.GetService<LocalObjectStore>(),
        services.GetRequiredService<IOptions<ObjectStoreOptions>>(),
        services.GetRequiredService<ILogger<ObjectManager>>());
}
