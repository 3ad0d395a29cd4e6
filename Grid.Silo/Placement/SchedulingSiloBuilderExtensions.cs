using System.Globalization;
using Grid.Silo.Raylet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grid.Silo.Placement;

internal static class SchedulingSiloBuilderExtensions
{
    /// <summary>
    /// Scheduling services of a Grid node: the placement policy, placement groups, and the GPU
    /// placement filter with the silo metadata it reads (the node's GPU count, from <see cref="GridNodeOptions"/>).
    /// </summary>
    public static ISiloBuilder UseGridScheduling(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddSingleton<SchedulingPolicy>();
        services.AddSingleton<PlacementGroupDirectory>();
        // Orleans copies this dictionary into the silo's metadata when its options are first built;
        // the configure step registered before it fills it from the node's options (bound by then).
        var metadata = new Dictionary<string, string>();
        services.AddSingleton<IConfigureOptions<SiloMetadata>>(sp => new ConfigureOptions<SiloMetadata>(_ =>
        {
            var node = sp.GetRequiredService<IOptions<GridNodeOptions>>().Value;
            metadata[GpuPlacementFilterStrategy.MetadataKey] = node.NumGpus.ToString(CultureInfo.InvariantCulture);
        }));
        silo.UseSiloMetadata(metadata);
        services.AddPlacementFilter<GpuPlacementFilterStrategy, GpuPlacementFilterDirector>(ServiceLifetime.Singleton);
        return silo;
    }
}
