using Grid.Inference.Torch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Inference;

/// <summary>Registers Grid.Inference with a host that runs a Grid node or client.</summary>
public static class GridInferenceExtensions
{
    /// <summary>
    /// Makes the host's log the one torch reports to when it first loads (its CUDA devices, or that models run on the
    /// CPU). Torch itself loads on first use, so a node that runs no torch code pays nothing for it.
    /// </summary>
    public static IServiceCollection AddGridInference(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<TorchLogBinding>();
        return services;
    }

    private sealed class TorchLogBinding(ILoggerFactory loggers) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            TorchRuntime.UseLogger(loggers.CreateLogger("Grid.Inference.Torch"));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
