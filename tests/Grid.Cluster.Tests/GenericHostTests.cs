using Grid.Hosting;
using Grid.Samples.Scenarios;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.Cluster.Tests;

/// <summary>
/// A .NET service on the generic host gets its GridClient from <c>services.AddGridClient</c>, against a cluster started
/// by the <c>grid</c> command: registration does no I/O, the client connects in the host's start (where a wrong password
/// fails it with Grid's error) and its job ends with the host's stop.
/// </summary>
[Collection(ThreeNodeCluster.Name)]
public sealed class GenericHostTests(LocalCluster cluster)
{
    private static IHost Build(Action<GridClientOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGridClient(configure);
        return builder.Build();
    }

    [Fact]
    public async Task A_service_gets_a_client_connected_at_start_that_runs_tasks_on_every_node_until_the_host_stops()
    {
        using var host = Build(o => { o.Address = cluster.Address; o.Password = LocalCluster.Password; });
        var early = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<GridClient>());
        Assert.Contains("after IHost.StartAsync", early.Message);

        await host.StartAsync();
        var grid = host.Services.GetRequiredService<GridClient>();
        Assert.Equal(new[] { 0, 1, 4, 9 }, await TasksAndObjects.SquaresAsync(grid));
        Assert.Equal(3, (await grid.GetNodesAsync()).Count(n => n.State == Wire.NodeState.Alive));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_wrong_password_fails_the_host_start_with_GridAuthenticationException_not_the_registration()
    {
        using var host = Build(o => { o.Address = cluster.Address; o.Password = "not-the-password"; });

        var e = await Assert.ThrowsAsync<GridAuthenticationException>(() => host.StartAsync());
        Assert.Contains("password", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
