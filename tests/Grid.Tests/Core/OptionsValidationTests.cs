using Grid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Grid.Tests.Core;

/// <summary>Options are checked when a node or client starts, and a bad one stops it with an error naming the option.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public async Task A_node_with_a_negative_cpu_count_does_not_start_and_says_which_option()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => GridClient.StartLocalAsync(node => node.NumCpus = -1));
        var validation = Assert.IsType<OptionsValidationException>(e is AggregateException a ? a.InnerExceptions.Single() : e);
        Assert.Contains("NumCpus must be 0 or more", validation.Message);
    }

    [Fact]
    public async Task A_node_that_would_keep_no_task_records_does_not_start_and_says_which_option()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => GridClient.StartLocalAsync(node => node.TaskRecordCapacity = 0));
        var validation = Assert.IsType<OptionsValidationException>(e is AggregateException a ? a.InnerExceptions.Single() : e);
        Assert.Contains("TaskRecordCapacity must be 1 or more", validation.Message);
    }

    [Fact]
    public async Task A_client_with_a_zero_connect_timeout_is_refused_before_it_connects_and_every_problem_is_named()
    {
        var options = new GridClientOptions { Gateways = ["127.0.0.1:1"], ConnectTimeout = TimeSpan.Zero, LeaseRenewal = TimeSpan.FromSeconds(-1) };
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => GridClient.ConnectAsync(options));
        Assert.Contains("ConnectTimeout must be positive", e.Message);
        Assert.Contains("LeaseRenewal must be positive", e.Message);
    }

    [Fact]
    public async Task AddGridClient_registers_without_connecting_and_the_host_start_names_the_bad_option()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // No cluster listens on port 1: registering must not try to reach it.
        builder.Services.AddGridClient(o => { o.Gateways = ["127.0.0.1:1"]; o.NodeRefreshInterval = TimeSpan.Zero; });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("NodeRefreshInterval must be positive", e.Message);
    }
}
